package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpProxy#holdReplies()}: on a connection open at that moment the client's bytes still reach
 * the server and the server's answer is held back; a connection opened afterwards works both ways;
 * {@link TcpProxy#releaseReplies()} delivers what was held. Against a one-byte echo server on loopback.
 */
class TcpProxyTest {

  /** Echoes every byte back; counts the bytes it received. */
  static final class Echo implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger received = new AtomicInteger();

    Echo() throws IOException {
      server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            Thread c = new Thread(() -> {
              try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                int b;
                while ((b = in.read()) >= 0) {
                  received.incrementAndGet();
                  out.write(b);
                  out.flush();
                }
              } catch (IOException ignored) {
                // closed
              }
            });
            c.setDaemon(true);
            c.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static int readOne(Socket s) throws IOException {
    try {
      return s.getInputStream().read();
    } catch (SocketTimeoutException e) {
      return -2;
    }
  }

  @Test
  void holdReplies_requestStillDelivered_replyHeld_newConnectionsWork_releaseDelivers() throws Exception {
    try (Echo echo = new Echo(); TcpProxy proxy = TcpProxy.start(echo.server.getLocalPort());
        Socket old = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      old.setSoTimeout(1000);
      old.getOutputStream().write('a');
      assertThat(readOne(old)).isEqualTo('a');

      assertThat(proxy.holdReplies()).isEqualTo(1);
      old.getOutputStream().write('b');
      assertThat(readOne(old)).as("the reply is held back").isEqualTo(-2);
      assertThat(echo.received.get()).as("the request reached the server").isEqualTo(2);
      assertThat(proxy.bytesHeld()).isEqualTo(1);

      try (Socket fresh = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        fresh.setSoTimeout(5000);
        fresh.getOutputStream().write('c');
        assertThat(readOne(fresh)).as("a new connection works both ways").isEqualTo('c');
      }

      proxy.releaseReplies();
      old.setSoTimeout(5000);
      assertThat(readOne(old)).as("the held reply, delivered").isEqualTo('b');
    }
  }
}
