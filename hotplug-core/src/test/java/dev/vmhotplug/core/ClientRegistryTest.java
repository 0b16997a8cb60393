package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientRegistryTest {
  @TempDir Path dir;

  @Test
  void client_isOpenedLazilyOncePerUri_andSharedByConcurrentCallers() throws Exception {
    String a = TestNode.write(Files.createDirectory(dir.resolve("a")));
    String b = TestNode.write(Files.createDirectory(dir.resolve("b")));
    AtomicInteger builds = new AtomicInteger();
    try (ClientRegistry reg = ClientRegistry.create(uri -> {
      builds.incrementAndGet();
      return HotplugClient.builder();
    })) {
      assertThat(reg.peek(a)).isEmpty();
      assertThat(builds).hasValue(0);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<HotplugClient>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return reg.client(a);
        }));
      }
      go.countDown();
      HotplugClient first = fs.get(0).get();
      for (CompletableFuture<HotplugClient> f : fs) {
        assertThat(f.get()).isSameAs(first);
      }
      assertThat(builds).hasValue(1);
      HotplugClient other = reg.client(b);
      assertThat(other).isNotSameAs(first);
      assertThat(reg.uris()).containsExactlyInAnyOrder(a, b);
      assertThat(reg.health()).containsOnlyKeys(a, b)
          .allSatisfy((u, h) -> assertThat(h.state()).isEqualTo(ConnectionState.CONNECTED));
      // independent: one host's client going away changes nothing for the other
      assertThat(reg.close(a)).isTrue();
      assertThat(first.isClosed()).isTrue();
      assertThat(other.domain("web").isRunning()).isTrue();
      assertThat(reg.client(a)).isNotSameAs(first);
    }
  }

  @Test
  void client_failedConnect_isNotRemembered_andAClosedClientIsReplaced() throws Exception {
    Path node = dir.resolve("later").resolve("node.xml");
    String uri = "test://" + node;
    try (ClientRegistry reg = ClientRegistry.create()) {
      assertThatThrownBy(() -> reg.client(uri)).isInstanceOf(ConnectionException.class).hasMessageContaining("does not exist");
      assertThat(reg.uris()).isEmpty();
      String written = TestNode.write(Files.createDirectories(node.getParent()));
      assertThat(written).isEqualTo(uri);
      HotplugClient c = reg.client(uri);
      c.close(); // closed behind the registry's back
      HotplugClient d = reg.client(uri);
      assertThat(d).isNotSameAs(c);
      assertThat(d.isClosed()).isFalse();
    }
  }

  @Test
  void close_closesEveryClient_andRefusesNewOnes() {
    String a = TestNode.write(dir);
    ClientRegistry reg = ClientRegistry.create();
    HotplugClient c = reg.client(a);
    reg.close();
    reg.close();
    assertThat(c.isClosed()).isTrue();
    assertThat(reg.uris()).isEmpty();
    assertThatThrownBy(() -> reg.client(a)).isInstanceOf(HotplugException.class).hasMessageContaining("is closed");
  }
}
