package dev.pulse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of a ClickHouse HTTP port that can hold one request past the client's socket
 * timeout while the server still lands it: the fault of a slow server, a stalled network or a
 * failover in the middle of a commit, made on purpose (a toxiproxy of its own, because there is no
 * Docker engine here and the fault needs to know what an INSERT is).
 *
 * <ul>
 *   <li>{@link Hold#REQUEST_TAIL}: the INSERT's request goes to the server at once except its last
 *       bytes (the end of the body), which follow after the hold. Meanwhile the server runs the
 *       INSERT (it is in {@code system.processes}) but cannot finish it, and the client times out
 *       and tries again: the case where "is the batch stored?" answers no although it will be.
 *   <li>{@link Hold#RESPONSE}: the INSERT goes through whole, and the server's answer is held past
 *       the client's timeout and then dropped: the batch is stored, the client thinks it failed.
 * </ul>
 *
 * <p>Every other request passes through. What happened is recorded, so a test can prove the fault
 * took place ({@link #heldRequests}, {@link #clientGaveUpWhileHeld}, {@link #answerAfterRelease}).
 */
public final class HoldingProxy implements AutoCloseable {

  /** What to hold of the next matching request. */
  public enum Hold {
    REQUEST_TAIL,
    RESPONSE
  }

  /** Bytes of the request held back: the chunked body's terminator "0\r\n\r\n", or its end. */
  private static final int TAIL_BYTES = 5;

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicReference<Armed> armed = new AtomicReference<>();
  private final AtomicInteger held = new AtomicInteger();
  private volatile boolean clientGaveUp;
  private volatile CountDownLatch released = new CountDownLatch(0);

  private volatile String answerAfterRelease;
  private volatile String heldRequestHead;

  private record Armed(byte[] marker, Hold hold, Duration duration) {}

  private HoldingProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "holding-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy on a free loopback port forwarding to {@code host:port}. */
  public static HoldingProxy to(String host, int port) throws IOException {
    return new HoldingProxy(new InetSocketAddress(host, port));
  }

  /** The proxy's HTTP address, to give a client instead of the server's. */
  public String httpUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /**
   * Holds the next request whose first bytes (request line, headers, start of the body) contain
   * {@code marker} (only that one) as {@code hold} says, for {@code duration}.
   */
  public void holdNext(String marker, Hold hold, Duration duration) {
    released = new CountDownLatch(1);
    held.set(0);
    clientGaveUp = false;
    answerAfterRelease = null;
    armed.set(new Armed(marker.getBytes(StandardCharsets.UTF_8), hold, duration));
  }

  /**
   * What the server answered to a {@link Hold#REQUEST_TAIL} request once its tail was let go (the
   * client is gone by then), or null.
   */
  public String answerAfterRelease() {
    return answerAfterRelease;
  }

  /** The first bytes of the request held last (request line and headers), for messages. */
  public String heldRequestHead() {
    return heldRequestHead;
  }

  /** Requests held since the last {@link #holdNext}. */
  public int heldRequests() {
    return held.get();
  }

  /** Whether the client closed its connection while its request was held (it timed out). */
  public boolean clientGaveUpWhileHeld() {
    return clientGaveUp;
  }

  /** Waits until the held request's hold is over. */
  public boolean awaitReleased(Duration timeout) throws InterruptedException {
    return released.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(target, 5_000);
        sockets.add(client);
        sockets.add(upstream);
        new Connection(client, upstream).start();
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  /** One client connection and its upstream, pumped in both directions by two threads. */
  private final class Connection {
    private final Socket client;
    private final Socket upstream;
    private volatile Armed mine;
    private volatile boolean clientEnded;
    private volatile boolean tailReleased;
    private final ByteArrayOutputStream answer = new ByteArrayOutputStream();

    Connection(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() {
      daemon(this::clientToServer, "up").start();
      daemon(this::serverToClient, "down").start();
    }

    private Thread daemon(Runnable body, String direction) {
      Thread t = new Thread(body, "holding-proxy-" + direction + "-" + client.getPort());
      t.setDaemon(true);
      return t;
    }

    private void clientToServer() {
      // The upstream is never closed from here: the server may still answer a request whose
      // client has gone (that answer is what the test wants to see); serverToClient closes it
      // when the server ends the connection (keep-alive timeout) or the proxy closes.
      try {
        InputStream in = client.getInputStream();
        OutputStream out = upstream.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        while (true) {
          int n;
          try {
            n = in.read(buf);
          } catch (SocketTimeoutException quiet) {
            // The client has sent all it will until it hears back: hold, then let the tail go.
            holdThenRelease(tail, out, false);
            client.setSoTimeout(0);
            continue;
          } catch (IOException closed) {
            n = -1;
          }
          if (n < 0) {
            clientEnded = true;
            if (mine != null && tail.size() > 0) {
              holdThenRelease(tail, out, true);
            }
            return;
          }
          Armed next = armed.get();
          if (mine == null && next != null && contains(buf, n, next.marker())) {
            Armed a = armed.getAndSet(null);
            if (a != null) {
              mine = a;
              // The head first: whoever sees the count sees the request it counts.
              heldRequestHead = new String(buf, 0, Math.min(n, 512), StandardCharsets.ISO_8859_1);
              held.incrementAndGet();
              if (a.hold() == Hold.REQUEST_TAIL) {
                client.setSoTimeout(300);
              }
            }
          }
          if (mine != null && mine.hold() == Hold.REQUEST_TAIL) {
            // Forward everything except the last TAIL_BYTES seen so far.
            tail.write(buf, 0, n);
            byte[] all = tail.toByteArray();
            int keep = Math.min(TAIL_BYTES, all.length);
            out.write(all, 0, all.length - keep);
            out.flush();
            tail.reset();
            tail.write(all, all.length - keep, keep);
          } else {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException | InterruptedException e) {
        // The connection ended; nothing to pass on.
      } finally {
        closeQuietly(client);
      }
    }

    /** Sleeps the hold, then writes the held tail upstream (once) and stops holding. */
    private void holdThenRelease(ByteArrayOutputStream tail, OutputStream out, boolean clientGone)
        throws IOException, InterruptedException {
      Armed a = mine;
      if (a == null || a.hold() != Hold.REQUEST_TAIL) {
        return;
      }
      Thread.sleep(a.duration().toMillis());
      if (clientGone || clientClosed()) {
        clientGaveUp = true;
      }
      tailReleased = true; // before the write: the server's answer may come at once
      mine = new Armed(a.marker(), Hold.RESPONSE, Duration.ZERO); // done: pass the rest through
      out.write(tail.toByteArray());
      out.flush();
      tail.reset();
      released.countDown();
    }

    /** Whether the client has closed its side: a read returns end of stream at once. */
    private boolean clientClosed() {
      try {
        client.setSoTimeout(1);
        return client.getInputStream().read() < 0;
      } catch (SocketTimeoutException stillOpen) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    private void serverToClient() {
      try (InputStream in = upstream.getInputStream()) {
        OutputStream out = client.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
          Armed a = mine;
          if (a != null && a.hold() == Hold.RESPONSE && !a.duration().isZero()) {
            // Hold the answer past the client's timeout, then drop it with the connection.
            Thread.sleep(a.duration().toMillis());
            clientGaveUp = clientEnded;
            released.countDown();
            return;
          }
          if (tailReleased && answer.size() < 4096) {
            answer.write(buf, 0, Math.min(n, 4096 - answer.size()));
            answerAfterRelease = answer.toString(StandardCharsets.UTF_8);
          }
          try {
            out.write(buf, 0, n);
            out.flush();
          } catch (IOException clientGone) {
            // The client went away (it timed out): drain what the server still says.
          }
        }
      } catch (IOException | InterruptedException e) {
        // The connection ended.
      } finally {
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }
  }

  private static boolean contains(byte[] buf, int length, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buf[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
