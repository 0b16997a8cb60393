package dev.vmhotplug.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy for fault tests: forwards connections from {@code 127.0.0.1:port()} to a
 * target port, and can stop forwarding without closing anything ({@link #stopForwarding()}): the
 * sockets stay open, no byte passes in either direction, and new connections are accepted but
 * never reach the target. That is what a silent network (a partition, a dropped route) looks like
 * to libvirt's client: no error, no EOF, just no answer.
 *
 * <p>{@link #holdReplies()} silences one direction only: on the connections open at that moment the
 * server's bytes are held back while the client's still reach the server, and connections opened
 * later are forwarded normally. That is a request that was delivered and whose reply never comes
 * back (an asymmetric partition, a lost NAT or firewall state on the way back), after which a fresh
 * connection works again.
 *
 * <p>Threads: one acceptor and two pumps per connection, all daemon threads; {@link #close()}
 * closes every socket.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final Object gate = new Object();
  private volatile boolean forwarding = true;
  private volatile boolean closed;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Conn> conns = new CopyOnWriteArrayList<>();
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  private TcpProxy(ServerSocket server, int target) {
    this.server = server;
    this.target = target;
  }

  /**
   * Starts a proxy on a free loopback port.
   *
   * @param targetPort the port on 127.0.0.1 to forward to
   * @return the running proxy
   * @throws LabException if no port can be bound
   */
  public static TcpProxy start(int targetPort) {
    try {
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      TcpProxy p = new TcpProxy(s, targetPort);
      Thread t = new Thread(p::acceptLoop, "tcp-proxy-accept-" + s.getLocalPort());
      t.setDaemon(true);
      t.start();
      return p;
    } catch (IOException e) {
      throw new LabException("cannot start the loopback proxy: " + e.getMessage(), e);
    }
  }

  /** @return the proxy's port on 127.0.0.1 */
  public int port() {
    return server.getLocalPort();
  }

  /** @return connections accepted so far */
  public long connections() {
    return connections.get();
  }

  /** @return bytes forwarded so far (both directions) */
  public long bytesForwarded() {
    return bytes.get();
  }

  /** Stops moving bytes; sockets stay open (a silent network). */
  public void stopForwarding() {
    forwarding = false;
  }

  /** Moves bytes again, including what was held back. */
  public void resumeForwarding() {
    synchronized (gate) {
      forwarding = true;
      gate.notifyAll();
    }
  }

  /** @return whether bytes are moved */
  public boolean isForwarding() {
    return forwarding;
  }

  /**
   * From now on holds back what the server sends on the connections open now (the client's bytes
   * still reach the server); connections opened later are forwarded both ways.
   *
   * @return how many connections are affected
   */
  public int holdReplies() {
    int n = 0;
    for (Conn c : conns) {
      if (!c.done) {
        c.holdDown = true;
        n++;
      }
    }
    return n;
  }

  /** Delivers the held replies and forwards both ways again on every connection. */
  public void releaseReplies() {
    synchronized (gate) {
      for (Conn c : conns) {
        c.holdDown = false;
      }
      gate.notifyAll();
    }
  }

  /** @return bytes read from the server and held back by {@link #holdReplies()} so far */
  public long bytesHeld() {
    return held.get();
  }

  /** One proxied connection. */
  private static final class Conn {
    volatile boolean holdDown;
    volatile boolean done;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        connections.incrementAndGet();
        sockets.add(client);
        Thread t = new Thread(() -> connect(client), "tcp-proxy-conn-" + port());
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void connect(Socket client) {
    awaitForwarding(); // while silent, a new connection never reaches the target
    if (closed) {
      return;
    }
    try {
      Socket upstream = new Socket();
      sockets.add(upstream);
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
      Conn conn = new Conn();
      conns.add(conn);
      pump(client.getInputStream(), upstream.getOutputStream(), client, upstream, "up", null);
      pump(upstream.getInputStream(), client.getOutputStream(), upstream, client, "down", conn);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private void pump(InputStream in, OutputStream out, Socket from, Socket to, String dir, Conn conn) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        for (;;) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          awaitForwarding();
          if (conn != null && conn.holdDown) {
            held.addAndGet(n);
            awaitRelease(conn, to);
          }
          if (closed) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
          bytes.addAndGet(n);
        }
      } catch (IOException e) {
        // one side went away
      }
      if (conn != null) {
        conn.done = true;
      }
      if (forwarding) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-" + dir + "-" + port());
    t.setDaemon(true);
    t.start();
  }

  /** Waits while the connection's replies are held, until released, closed, or the client's socket closed. */
  private void awaitRelease(Conn conn, Socket client) {
    synchronized (gate) {
      while (conn.holdDown && !closed && !client.isClosed()) {
        try {
          gate.wait(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void awaitForwarding() {
    synchronized (gate) {
      while (!forwarding && !closed) {
        try {
          gate.wait(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Closes the listener and every connection; idempotent. */
  @Override
  public void close() {
    closed = true;
    synchronized (gate) {
      gate.notifyAll();
    }
    closeQuietly(server);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // best effort
    }
  }
}
