package dev.pulse.flink.common.types;

import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiRequest;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A cheap micro-benchmark (no JMH) of the hand-written {@link ApiRequest} and {@link ApiKey}
 * serializers against Flink's own {@link PojoSerializer} for the same records: serializes 2 M
 * records in batches of 1,024 into a {@link DataOutputSerializer} and reads them back from a {@link
 * DataInputDeserializer}, as a network shuffle does, and prints ns per record. It only says whether
 * the serializer itself got cheaper; whether that matters for the job is the end-to-end bench's
 * call.
 *
 * <p>Not a test (surefire does not pick it up, and surefire's JVMs stop at C1). Run by hand with
 * C2, from the repository root, after {@code mvn -q -o -pl flink-jobs -am test-compile}:
 *
 * <pre>
 * mvn -q -o -pl flink-jobs dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx1g -XX:+UseSerialGC -cp flink-jobs/target/test-classes:flink-jobs/target/classes:\
 * event-schemas/target/classes:clickhouse-client/target/classes:$(cat /tmp/cp.txt) \
 *     dev.pulse.flink.common.types.SerializerMicroBenchmark [runs=5] [records=2000000]
 * </pre>
 */
public final class SerializerMicroBenchmark {

  private static final int BATCH = 1_024;

  private SerializerMicroBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int records = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    ApiRequest[] requests = requests(new SplittableRandom(42), BATCH * 4);
    ApiKey[] keys = Arrays.stream(requests).map(ApiRequest::key).toArray(ApiKey[]::new);

    TypeSerializer<ApiRequest> pojoRequest = pojo(ApiRequest.class);
    TypeSerializer<ApiKey> pojoKey = pojo(ApiKey.class);
    check(pojoRequest, requests);
    check(pojoKey, keys);
    check(ApiRequest.Serializer.INSTANCE, requests);

    List<Case<?>> cases =
        List.of(
            new Case<>(
                "ApiRequest hand-written",
                ApiRequest.Serializer.INSTANCE,
                requests,
                r -> r.statusCode() + r.eventId().length()),
            new Case<>(
                "ApiRequest PojoSerializer",
                pojoRequest,
                requests,
                r -> r.statusCode() + r.eventId().length()),
            new Case<>(
                "ApiKey hand-written",
                ApiKey.Serializer.INSTANCE,
                keys,
                k -> k.tenantId().length()),
            new Case<>("ApiKey PojoSerializer", pojoKey, keys, k -> k.tenantId().length()));
    System.out.printf(
        "%d records per run, %d runs (after 3 warm-up runs), bytes per record: request %d vs %d,"
            + " key %d vs %d%n",
        records,
        runs,
        bytesPerRecord(ApiRequest.Serializer.INSTANCE, requests),
        bytesPerRecord(pojoRequest, requests),
        bytesPerRecord(ApiKey.Serializer.INSTANCE, keys),
        bytesPerRecord(pojoKey, keys));
    for (int warmUp = 0; warmUp < 3; warmUp++) {
      for (Case<?> c : cases) {
        c.run(records, false);
      }
    }
    for (int run = 0; run < runs; run++) {
      for (Case<?> c : cases) {
        c.run(records, true);
      }
    }
    for (Case<?> c : cases) {
      c.report();
    }
  }

  /** One serializer over one array of records, with its timings. */
  private static final class Case<T> {
    final String name;
    final TypeSerializer<T> serializer;
    final T[] values;
    final ToLongFunction<T> use;
    final List<double[]> timings = new ArrayList<>();
    long sink;

    Case(String name, TypeSerializer<T> serializer, T[] values, ToLongFunction<T> use) {
      this.name = name;
      this.serializer = serializer;
      this.values = values;
      this.use = use;
    }

    void run(int records, boolean keep) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(256 * BATCH);
      DataInputDeserializer in = new DataInputDeserializer();
      int mask = values.length - 1;
      long write = 0;
      long read = 0;
      for (int done = 0; done < records; done += BATCH) {
        out.clear();
        long t0 = System.nanoTime();
        for (int i = 0; i < BATCH; i++) {
          serializer.serialize(values[(done + i) & mask], out);
        }
        long t1 = System.nanoTime();
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        for (int i = 0; i < BATCH; i++) {
          sink += use.applyAsLong(serializer.deserialize(in));
        }
        read += System.nanoTime() - t1;
        write += t1 - t0;
      }
      if (keep) {
        timings.add(new double[] {(double) write / records, (double) read / records});
      }
    }

    void report() {
      System.out.printf(
          "%-26s ser %s  deser %s  total %s  ns/record (median [min..max])   runs: %s  (%d)%n",
          name,
          stat(timings.stream().mapToDouble(t -> t[0]).toArray()),
          stat(timings.stream().mapToDouble(t -> t[1]).toArray()),
          stat(timings.stream().mapToDouble(t -> t[0] + t[1]).toArray()),
          Arrays.toString(timings.stream().mapToLong(t -> Math.round(t[0] + t[1])).toArray()),
          sink & 1);
    }
  }

  private static String stat(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return String.format("%6.1f [%5.1f..%5.1f]", s[s.length / 2], s[0], s[s.length - 1]);
  }

  /** Flink's PojoSerializer for a record type (the annotation would pick the hand-written one). */
  private static <T extends Record> TypeSerializer<T> pojo(Class<T> type) throws Exception {
    List<PojoField> fields = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      TypeInformation<?> info =
          c.getType() == String.class
              ? Types.STRING
              : c.getType() == Instant.class
                  ? Types.INSTANT
                  : c.getType() == int.class ? Types.INT : Types.LONG;
      fields.add(new PojoField(type.getDeclaredField(c.getName()), info));
    }
    TypeSerializer<T> serializer =
        new PojoTypeInfo<>(type, fields).createSerializer(new SerializerConfigImpl());
    if (!(serializer instanceof PojoSerializer)) {
      throw new IllegalStateException("not a PojoSerializer: " + serializer);
    }
    return serializer;
  }

  private static <T> void check(TypeSerializer<T> serializer, T[] values) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    for (T v : values) {
      out.clear();
      serializer.serialize(v, out);
      T back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
      if (!back.equals(v)) {
        throw new IllegalStateException(serializer + " changed " + v + " into " + back);
      }
    }
  }

  private static <T> long bytesPerRecord(TypeSerializer<T> serializer, T[] values)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256 * values.length);
    for (T v : values) {
      serializer.serialize(v, out);
    }
    return Math.round((double) out.length() / values.length);
  }

  /** Requests shaped like the simulator's: UUID ids, a few tenants, services and endpoints. */
  private static ApiRequest[] requests(SplittableRandom random, int n) {
    String[] services = {"courses-api", "grades-api", "auth", "search"};
    String[] endpoints = {"/courses/{id}", "/courses", "/grades/{student}", "/login", "/search"};
    String[] methods = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    String[] regions = {"eu-west", "us-east", "ap-south", ""};
    int[] statuses = {200, 200, 200, 201, 404, 503};
    ApiRequest[] requests = new ApiRequest[n];
    for (int i = 0; i < n; i++) {
      requests[i] =
          new ApiRequest(
              new UUID(random.nextLong(), random.nextLong()).toString(),
              "tenant-" + random.nextInt(50),
              Instant.ofEpochMilli(1_772_445_600_000L + random.nextInt(3_600_000)),
              services[random.nextInt(services.length)],
              endpoints[random.nextInt(endpoints.length)],
              methods[random.nextInt(methods.length)],
              statuses[random.nextInt(statuses.length)],
              (long) Math.exp(random.nextDouble(4, 14)),
              regions[random.nextInt(regions.length)],
              random.nextBoolean()
                  ? null
                  : Long.toHexString(random.nextLong()) + "0123456789abcdef");
    }
    return requests;
  }
}
