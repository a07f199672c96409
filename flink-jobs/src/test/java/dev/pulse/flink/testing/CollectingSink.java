package dev.pulse.flink.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that keeps everything written to it in a static list per name, so a whole-job test on
 * the MiniCluster (same JVM) can collect several output streams of one job run.
 */
public final class CollectingSink<T> implements Sink<T> {

  private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();

  private final String name;

  public CollectingSink(String name) {
    this.name = name;
    RESULTS.put(name, new CopyOnWriteArrayList<>());
  }

  /** What was written under {@code name}. */
  @SuppressWarnings("unchecked")
  public static <T> List<T> results(String name) {
    return (List<T>) List.copyOf(RESULTS.getOrDefault(name, List.of()));
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    List<Object> target = RESULTS.get(name);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        target.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
