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
      pump(client.getInputStream(), upstream.getOutputStream(), client, upstream, "up");
      pump(upstream.getInputStream(), client.getOutputStream(), upstream, client, "down");
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private void pump(InputStream in, OutputStream out, Socket from, Socket to, String dir) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        for (;;) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          awaitForwarding();
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
      if (forwarding) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-" + dir + "-" + port());
    t.setDaemon(true);
    t.start();
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
