package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.DeviceEventWatch;
import dev.vmhotplug.core.internal.EventLoop;
import dev.vmhotplug.core.internal.LibvirtGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Domain events through the SDK's own JNA mapping of virConnectDomainEventRegisterAny, on libvirt's
 * in-process test driver (which emits lifecycle events; device events need QEMU: VM lab ITs).
 */
class DomainEventsTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  record Seen(DomainEvent event, String thread) {}

  private static DomainEventListener into(BlockingQueue<Seen> q) {
    return e -> q.add(new Seen(e, Thread.currentThread().getName()));
  }

  @Test
  void subscribe_domainDestroyed_deliversLifecycleStoppedOffTheEventLoopThread() throws Exception {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
      EventSubscription sub = client.subscribe(EventFilter.domain("web").types(DomainEvent.Type.LIFECYCLE), into(q));
      LibvirtGateway gw = client.gateway();
      gw.destroy(gw.lookup("web"));
      Seen s = q.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(s).as("an event within %s", WAIT).isNotNull();
      assertThat(s.event().type()).isEqualTo(DomainEvent.Type.LIFECYCLE);
      assertThat(s.event().lifecycle()).contains(DomainEvent.Lifecycle.STOPPED);
      assertThat(s.event().lifecycleDetail()).isEqualTo(1); // VIR_DOMAIN_EVENT_STOPPED_DESTROYED
      assertThat(s.event().domainName()).isEqualTo("web");
      assertThat(s.event().domainUuid()).isEqualTo(TestNode.WEB_UUID);
      assertThat(s.event().uri()).isEqualTo(client.uri());
      assertThat(s.thread()).startsWith("vmhotplug-events-").isNotEqualTo(EventLoop.THREAD_NAME);
      assertThat(sub.isOpen()).isTrue();
      assertThat(client.health().subscriptions()).isEqualTo(1);
    }
  }

  @Test
  void subscribe_filterOnOneDomain_doesNotSeeTheOthers_andClosedSubscriptionsSeeNothing() throws Exception {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      BlockingQueue<Seen> web = new LinkedBlockingQueue<>();
      BlockingQueue<Seen> all = new LinkedBlockingQueue<>();
      BlockingQueue<Seen> closed = new LinkedBlockingQueue<>();
      client.subscribe(EventFilter.domain(TestNode.WEB_UUID.replace("-", "").toUpperCase()), into(web));
      client.subscribe(into(all));
      client.subscribe(into(closed)).close();
      LibvirtGateway gw = client.gateway();
      gw.destroy(gw.lookup("db"));
      gw.destroy(gw.lookup("web"));
      Seen first = all.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      Seen second = all.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(List.of(first.event().domainName(), second.event().domainName())).containsExactly("db", "web");
      Seen w = web.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(w.event().domainName()).isEqualTo("web");
      assertThat(web.poll(300, TimeUnit.MILLISECONDS)).isNull();
      assertThat(closed).isEmpty();
    }
  }

  @Test
  void subscribe_aBlockedOrThrowingListener_doesNotStopTheOthers() throws Exception {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blockedEntered = new CountDownLatch(1);
      client.subscribe(e -> {
        blockedEntered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
        }
      });
      client.subscribe(e -> {
        throw new IllegalStateException("listener bug");
      });
      BlockingQueue<Seen> ok = new LinkedBlockingQueue<>();
      client.subscribe(into(ok));
      LibvirtGateway gw = client.gateway();
      gw.destroy(gw.lookup("db"));
      gw.destroy(gw.lookup("web"));
      assertThat(blockedEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(ok.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      assertThat(ok.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      release.countDown();
    }
  }

  @Test
  void watch_openedBeforeTheChange_returnsTheEvent_andATimeoutReturnsEmptyWithinTheBound() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      LibvirtGateway gw = client.gateway();
      LibvirtGateway.DomainRef web = gw.lookup("web");
      try (DeviceEventWatch none = gw.watch(web, "dimm0", DomainEvent.Type.DEVICE_REMOVED);
          DeviceEventWatch life = gw.watch(web, null, DomainEvent.Type.LIFECYCLE)) {
        assertThat(life.reliable()).isTrue();
        gw.destroy(web);
        assertThat(life.await(WAIT)).hasValueSatisfying(e -> {
          assertThat(e.lifecycle()).contains(DomainEvent.Lifecycle.STOPPED);
          assertThat(e.domainUuid()).isEqualTo(TestNode.WEB_UUID);
        });
        long t0 = System.nanoTime();
        assertThat(none.await(Duration.ofMillis(200))).isEmpty();
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(150L, 5_000L);
        assertThat(none.reliable()).isTrue();
        assertThat(life.seen()).hasSize(1);
      }
    }
  }

  @Test
  void close_client_endsItsSubscriptions_andSubscribingAfterwardsIsRefused() {
    HotplugClient client = HotplugClient.connect(TestNode.write(dir));
    EventSubscription sub = client.subscribe(e -> {});
    client.close();
    assertThat(sub.isOpen()).isFalse();
    assertThatThrownBy(() -> client.subscribe(e -> {})).isInstanceOf(HotplugException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void eventFilter_blankDomain_isRefused() {
    assertThatThrownBy(() -> EventFilter.domain(" ")).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("EventFilter.all()");
  }

  @Test
  void lifecycle_unknownCode_mapsToUnknown() {
    assertThat(DomainEvent.Lifecycle.ofCode(5)).isEqualTo(DomainEvent.Lifecycle.STOPPED);
    assertThat(DomainEvent.Lifecycle.ofCode(8)).isEqualTo(DomainEvent.Lifecycle.CRASHED);
    assertThat(DomainEvent.Lifecycle.ofCode(42)).isEqualTo(DomainEvent.Lifecycle.UNKNOWN);
    assertThat(DomainEvent.Lifecycle.ofCode(-1)).isEqualTo(DomainEvent.Lifecycle.UNKNOWN);
  }
}
