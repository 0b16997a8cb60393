package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.TestDaemons.DOMAIN;
import static dev.vmhotplug.lab.TestDaemons.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.core.DomainEventListener;
import dev.vmhotplug.core.EventFilter;
import dev.vmhotplug.core.EventSubscription;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.internal.ConnectionOptions;
import dev.vmhotplug.core.internal.DeviceEventWatch;
import dev.vmhotplug.core.internal.EventLoop;
import dev.vmhotplug.core.internal.LibvirtGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Event subscriptions over libvirt's remote protocol survive a daemon restart without any call
 * (the client reconnects in the background and registers them again), tell the listener about
 * the gap, and never run on libvirt's event loop thread; a verification watch open during a loss
 * turns unreliable at once instead of waiting for its timeout.
 */
class ConnectionEventsIT {
  private TestDriverDaemon daemon;

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
  }

  record Seen(DomainEvent event, String thread) {}

  @Test
  void subscription_survivesARestartWithoutAnyCall_andHearsAboutTheGap() {
    daemon = TestDaemons.start();
    List<Seen> events = new CopyOnWriteArrayList<>();
    List<String> gaps = new CopyOnWriteArrayList<>();
    DomainEventListener listener = new DomainEventListener() {
      @Override
      public void onEvent(DomainEvent e) {
        events.add(new Seen(e, Thread.currentThread().getName()));
      }

      @Override
      public void onEventsMissed(Instant from, Instant to, String why) {
        gaps.add(why);
      }
    };
    try (HotplugClient client = HotplugClient.builder().reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .connect(daemon.uri())) {
      EventSubscription sub = client.subscribe(EventFilter.domain(DOMAIN).types(DomainEvent.Type.LIFECYCLE), listener);
      // virsh shares test:///default's state with the client while the client is connected
      daemon.virsh().call("suspend", DOMAIN);
      assertThat(eventually(Duration.ofSeconds(10), () -> events.size() == 1)).isTrue();
      assertThat(events.get(0).event().lifecycle()).contains(DomainEvent.Lifecycle.SUSPENDED);
      assertThat(events.get(0).thread()).startsWith("vmhotplug-events-").isNotEqualTo(EventLoop.THREAD_NAME);

      daemon.kill();
      daemon.restart();
      assertThat(eventually(Duration.ofSeconds(15), client::isAlive)).as("reconnected in the background").isTrue();
      assertThat(client.health().reconnects()).isEqualTo(1);
      assertThat(eventually(Duration.ofSeconds(5), () -> !gaps.isEmpty())).isTrue();
      assertThat(gaps.get(0)).contains("connection lost: CLOSED_BY_SERVER");

      daemon.virsh().call("suspend", DOMAIN); // the restarted daemon's fresh domain
      assertThat(eventually(Duration.ofSeconds(10), () -> events.size() == 2)).as("events after the restart").isTrue();
      assertThat(events.get(1).event().lifecycle()).contains(DomainEvent.Lifecycle.SUSPENDED);
      assertThat(events.get(1).event().domainUuid()).isEqualTo(TestDaemons.DOMAIN_UUID);
      assertThat(sub.isOpen()).isTrue();
      sub.close();
      daemon.virsh().call("resume", DOMAIN);
      assertThat(eventually(Duration.ofSeconds(1), () -> events.size() > 2)).isFalse();
    }
  }

  @Test
  void watch_openDuringALoss_turnsUnreliableAtOnce_andSaysWhy() {
    daemon = TestDaemons.start();
    try (LibvirtGateway gw = LibvirtGateway.open(daemon.uri(), ConnectionOptions.defaults(), null)) {
      LibvirtGateway.DomainRef ref = gw.lookup(DOMAIN);
      try (DeviceEventWatch w = gw.watch(ref, "dimm0", DomainEvent.Type.DEVICE_REMOVED)) {
        assertThat(w.reliable()).isTrue();
        daemon.kill();
        long t0 = System.nanoTime();
        assertThat(w.await(Duration.ofSeconds(30))).isEmpty();
        assertThat((System.nanoTime() - t0) / 1_000_000).as("woken by the loss, not the timeout").isLessThan(10_000);
        assertThat(w.reliable()).isFalse();
        assertThat(w.unreliableReason()).hasValueSatisfying(r -> assertThat(r).contains("CLOSED_BY_SERVER"));
      }
    }
  }
}
