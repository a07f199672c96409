package dev.pulse.flink.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The MiniCluster of the whole-job tests: one TaskManager with two slots (parallelism 2) and small
 * network buffers, so fewer records are in flight between the source and the windows and the
 * watermark trails the data less.
 */
public final class SmallBufferMiniCluster {

  private SmallBufferMiniCluster() {}

  /** The extension, on top of {@code base} (e.g. a metrics reporter's configuration). */
  public static MiniClusterExtension extension(Configuration base) {
    return new MiniClusterExtension(
        () -> {
          Configuration conf = new Configuration(base);
          conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("4kb"));
          return new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(conf)
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build();
        });
  }

  /** The extension with nothing else configured. */
  public static MiniClusterExtension extension() {
    return extension(new Configuration());
  }
}
