package dev.pulse.api.live;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * One stream per key, shared by every subscriber of that key: the source runs once however many
 * subscribe (one poller per filter), a subscriber that joins late first gets the last item sent,
 * and the stream stops and is forgotten when its last subscriber leaves, so the next one starts it
 * afresh.
 *
 * @param <K> what subscribers share a stream by (the tenant is part of every key)
 */
public final class SharedStreams<K, P> {

  private final Function<K, Flux<P>> source;
  private final ConcurrentMap<K, Flux<P>> streams = new ConcurrentHashMap<>();

  /** {@code source} makes a key's stream, subscribed once per sharing period. */
  public SharedStreams(Function<K, Flux<P>> source) {
    this.source = source;
  }

  public Flux<P> get(K key) {
    return Flux.defer(() -> streams.computeIfAbsent(key, this::shared));
  }

  /** How many keys have a running stream. */
  public int size() {
    return streams.size();
  }

  private Flux<P> shared(K key) {
    AtomicReference<Flux<P>> self = new AtomicReference<>();
    Flux<P> shared =
        Flux.defer(() -> source.apply(key))
            // The last subscriber left (refCount cancelled the source): forget this stream, so the
            // next subscriber starts a new one. A subscriber arriving in between restarts this one
            // and it runs unlisted: correct, and a second source for the key at worst.
            .doFinally(signal -> streams.remove(key, self.get()))
            .replay(1)
            .refCount();
    self.set(shared);
    return shared;
  }
}
