package dev.pulse.flink.common;

import java.nio.file.Path;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;

/** How Pulse's jobs run on a local MiniCluster (the demo, the benchmark). */
public final class LocalClusters {

  private LocalClusters() {}

  /**
   * Operator state on the heap with little managed memory (no RocksDB), and checkpoints to files
   * under {@code checkpoints}, as on a cluster: the dedup state outgrows the 5 MiB that the default
   * in-memory checkpoint storage accepts within minutes.
   */
  public static Configuration configuration(Path checkpoints) {
    Configuration flink = new Configuration();
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("64m"));
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    return flink;
  }
}
