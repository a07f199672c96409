package dev.pulse.flink.testing;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A bounded source over a fixed list of Kafka records that behaves like the Kafka source where
 * event time is concerned: one split per partition, partition {@code p} read by subtask {@code p %
 * parallelism}, each record deserialized by the same {@link KafkaRecordDeserializationSchema} the
 * Kafka source uses and emitted through its partition's own split output with its Kafka timestamp,
 * so the watermark strategy runs per partition. A subtask reads its partitions interleaved, {@link
 * #BATCH} records at a time (as a Kafka consumer hands over one partition's fetched batch, then
 * another's). For tests that need the job's source-side behaviour without a broker.
 *
 * @param <T> what the deserializer produces
 */
public final class PartitionedRecordSource<T>
    implements Source<
            T,
            PartitionedRecordSource.PartitionSplit,
            ArrayList<PartitionedRecordSource.PartitionSplit>>,
        ResultTypeQueryable<T> {

  /** Records a subtask emits from one partition before turning to its next partition. */
  public static final int BATCH = 64;

  private final TreeMap<Integer, List<RawRecord>> partitions = new TreeMap<>();
  private final KafkaRecordDeserializationSchema<T> deserializer;

  /**
   * @param records the records in each partition's offset order (partitions may be interleaved)
   * @param deserializer turns each record into the source's elements
   */
  public PartitionedRecordSource(
      List<RawRecord> records, KafkaRecordDeserializationSchema<T> deserializer) {
    this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
    for (RawRecord r : records) {
      partitions.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
    }
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return deserializer.getProducedType();
  }

  /**
   * One partition's records from {@code next} on.
   *
   * @param partition the partition
   * @param next index of the next record to emit
   */
  public record PartitionSplit(int partition, int next) implements SourceSplit, Serializable {
    @Override
    public String splitId() {
      return "partition-" + partition;
    }
  }

  @Override
  public SplitEnumerator<PartitionSplit, ArrayList<PartitionSplit>> createEnumerator(
      SplitEnumeratorContext<PartitionSplit> context) {
    ArrayList<PartitionSplit> all = new ArrayList<>();
    partitions.keySet().forEach(p -> all.add(new PartitionSplit(p, 0)));
    return new Enumerator(context, all);
  }

  @Override
  public SplitEnumerator<PartitionSplit, ArrayList<PartitionSplit>> restoreEnumerator(
      SplitEnumeratorContext<PartitionSplit> context, ArrayList<PartitionSplit> unassigned) {
    return new Enumerator(context, unassigned);
  }

  @Override
  public SimpleVersionedSerializer<PartitionSplit> getSplitSerializer() {
    return new JavaSerializer<>();
  }

  @Override
  public SimpleVersionedSerializer<ArrayList<PartitionSplit>> getEnumeratorCheckpointSerializer() {
    return new JavaSerializer<>();
  }

  @Override
  public SourceReader<T, PartitionSplit> createReader(SourceReaderContext context) {
    return new Reader(context);
  }

  /** Assigns each partition to its owner subtask once, then tells the subtask there is no more. */
  private static final class Enumerator
      implements SplitEnumerator<PartitionSplit, ArrayList<PartitionSplit>> {
    private final SplitEnumeratorContext<PartitionSplit> context;
    private final ArrayList<PartitionSplit> unassigned;

    Enumerator(SplitEnumeratorContext<PartitionSplit> context, List<PartitionSplit> unassigned) {
      this.context = context;
      this.unassigned = new ArrayList<>(unassigned);
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtask, String hostname) {}

    @Override
    public void addSplitsBack(List<PartitionSplit> splits, int subtask) {
      unassigned.addAll(splits);
    }

    @Override
    public void addReader(int subtask) {
      int parallelism = context.currentParallelism();
      List<PartitionSplit> mine = new ArrayList<>();
      unassigned.removeIf(s -> s.partition() % parallelism == subtask && mine.add(s));
      mine.forEach(s -> context.assignSplit(s, subtask));
      context.signalNoMoreSplits(subtask);
    }

    @Override
    public ArrayList<PartitionSplit> snapshotState(long checkpointId) {
      return new ArrayList<>(unassigned);
    }

    @Override
    public void close() {}
  }

  /** Emits its partitions round-robin, a batch at a time, each through its own split output. */
  private final class Reader implements SourceReader<T, PartitionSplit> {
    private final SourceReaderContext context;
    private final Deque<PartitionSplit> splits = new ArrayDeque<>();
    private boolean noMoreSplits;
    private CompletableFuture<Void> available = new CompletableFuture<>();

    Reader(SourceReaderContext context) {
      this.context = context;
    }

    @Override
    public void start() {
      try {
        deserializer.open(
            new DeserializationSchema.InitializationContext() {
              @Override
              public MetricGroup getMetricGroup() {
                return context.metricGroup().addGroup("deserializer");
              }

              @Override
              public UserCodeClassLoader getUserCodeClassLoader() {
                return context.getUserCodeClassLoader();
              }
            });
      } catch (Exception e) {
        throw new IllegalStateException("could not open the deserializer", e);
      }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws IOException {
      PartitionSplit split = splits.pollFirst();
      if (split == null) {
        return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
      }
      List<RawRecord> records = partitions.get(split.partition());
      SourceOutput<T> out = output.createOutputForSplit(split.splitId());
      int end = Math.min(records.size(), split.next() + BATCH);
      for (int i = split.next(); i < end; i++) {
        RawRecord r = records.get(i);
        long timestamp = r.kafkaTimestamp();
        deserializer.deserialize(
            new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), r.value()),
            new Collector<T>() {
              @Override
              public void collect(T element) {
                out.collect(element, timestamp);
              }

              @Override
              public void close() {}
            });
      }
      if (end < records.size()) {
        splits.addLast(new PartitionSplit(split.partition(), end));
      } else {
        // A finished partition must not hold the watermark back (the Kafka source does the same).
        output.releaseOutputForSplit(split.splitId());
      }
      return splits.isEmpty() && noMoreSplits
          ? InputStatus.END_OF_INPUT
          : InputStatus.MORE_AVAILABLE;
    }

    @Override
    public List<PartitionSplit> snapshotState(long checkpointId) {
      return new ArrayList<>(splits);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return available;
    }

    @Override
    public void addSplits(List<PartitionSplit> added) {
      splits.addAll(added);
      available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
      noMoreSplits = true;
      available.complete(null);
    }

    @Override
    public void close() {}
  }

  /** Java serialization for the small split and checkpoint objects. */
  private static final class JavaSerializer<S extends Serializable>
      implements SimpleVersionedSerializer<S> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(S obj) throws IOException {
      return InstantiationUtil.serializeObject(obj);
    }

    @Override
    public S deserialize(int version, byte[] serialized) throws IOException {
      try {
        return InstantiationUtil.deserializeObject(
            serialized, Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IOException(e);
      }
    }
  }
}
