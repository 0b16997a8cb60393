package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.core.EventFilter;
import dev.vmhotplug.core.EventSubscription;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.core.internal.DeviceEventWatch;
import dev.vmhotplug.core.internal.LibvirtGateway;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which device events QEMU 7.2 + libvirt 9.0 really emit for DIMMs and vCPUs, observed on lab
 * guests through the SDK's subscription API and its verification watch (the machinery the ops
 * stream's event-based verification uses).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceEventsIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final String DIMM_256 = "<memory model='dimm'><target><size unit='KiB'>262144</size><node>0</node></target></memory>";
  /** A quiet period after a change in which an event would have arrived (they come within ms). */
  static final Duration QUIET = Duration.ofSeconds(3);

  static HotplugClient client;
  static LibvirtGateway gateway;
  static LabDomain movable;
  static LabDomain normal;
  static final List<DomainEvent> movableEvents = new CopyOnWriteArrayList<>();
  static final List<DomainEvent> normalEvents = new CopyOnWriteArrayList<>();
  static EventSubscription subMovable;
  static EventSubscription subNormal;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("ev-mov").rules(GuestRules.MOVABLE).build(),
        DomainSpec.builder("ev-std").rules(GuestRules.STANDARD).build());
    movable = vms.get(0);
    normal = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
    gateway = LibvirtGateway.open(LAB.lab().daemon().uri(), dev.vmhotplug.core.internal.ConnectionOptions.defaults(), null);
    subMovable = client.subscribe(EventFilter.domain(movable.name()), movableEvents::add);
    subNormal = client.subscribe(EventFilter.domain(normal.name()), normalEvents::add);
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    System.out.println("[events] " + movable.name() + ": " + movableEvents);
    System.out.println("[events] " + normal.name() + ": " + normalEvents);
  }

  private static List<DomainEvent> devices(List<DomainEvent> all) {
    return all.stream().filter(e -> e.type() != DomainEvent.Type.LIFECYCLE).toList();
  }

  /**
   * Observed: a DIMM attach emits DEVICE_ADDED whose alias is the memory backend's ({@code memdimm0}),
   * not the device's ({@code dimm0}); a vCPU hot-add emits no device event at all.
   */
  @Test
  @Order(1)
  void dimmAttach_emitsDeviceAddedWithTheBackendAlias_vcpuAddEmitsNothing() throws Exception {
    LibvirtGateway gw = gateway();
    LibvirtGateway.DomainRef ref = gw.lookup(movable.name());
    int before = devices(movableEvents).size();
    try (DeviceEventWatch w = gw.watch(ref, null, DomainEvent.Type.DEVICE_ADDED)) {
      assertThat(w.reliable()).isTrue();
      long t0 = System.nanoTime();
      gw.attachDevice(ref, DIMM_256, Scope.LIVE);
      Optional<DomainEvent> added = w.await(QUIET);
      System.out.println("[events] DIMM attach -> " + added + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      assertThat(added).hasValueSatisfying(ev -> {
        assertThat(ev.type()).isEqualTo(DomainEvent.Type.DEVICE_ADDED);
        assertThat(ev.deviceAlias()).hasValue("memdimm0");
        assertThat(ev.domainUuid()).isEqualTo(ref.uuid());
      });
      movable.probe().awaitReport("6 blocks online", r -> r.blocksTotal() == 6 && r.blocksOffline().isEmpty(), GUEST);
    }
    try (DeviceEventWatch w = gw.watch(ref, null, DomainEvent.Type.DEVICE_ADDED)) {
      gw.setVcpus(ref, 3, Scope.LIVE);
      Optional<DomainEvent> added = w.await(QUIET);
      System.out.println("[events] vCPU add -> " + added);
      assertThat(added).as("libvirt 9.0 emits no device event for a vCPU hot-add").isEmpty();
      movable.probe().awaitReport("3 CPUs", r -> r.cpusOnline().equals("0-2"), GUEST);
    }
    System.out.println("[events] after attach + vcpu: " + devices(movableEvents).subList(before, devices(movableEvents).size()));
  }

  @Test
  @Order(2)
  void movableDimmDetach_emitsDeviceRemovedWithTheAlias() {
    LibvirtGateway gw = gateway();
    LibvirtGateway.DomainRef ref = gw.lookup(movable.name());
    try (DeviceEventWatch w = gw.watch(ref, null, DomainEvent.Type.DEVICE_REMOVED, DomainEvent.Type.DEVICE_REMOVAL_FAILED)) {
      long t0 = System.nanoTime();
      gw.detachDevice(ref, DIMM_256, Scope.LIVE);
      Optional<DomainEvent> e = w.await(GUEST);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("[events] movable DIMM detach -> " + e + " after " + ms + " ms");
      assertThat(e).hasValueSatisfying(ev -> {
        assertThat(ev.type()).isEqualTo(DomainEvent.Type.DEVICE_REMOVED);
        assertThat(ev.deviceAlias()).hasValue("dimm0");
        assertThat(ev.domainName()).isEqualTo(movable.name());
      });
    }
    assertThat(LabIt.dimms(movable.xml(false))).isZero();
    assertThat(devices(movableEvents)).anyMatch(ev -> ev.type() == DomainEvent.Type.DEVICE_REMOVED
        && ev.deviceAlias().equals(Optional.of("dimm0")));
  }

  @Test
  @Order(3)
  void refusedDimmDetach_emitsDeviceRemovalFailed_wellUnderTheTimeout() {
    LibvirtGateway gw = gateway();
    LibvirtGateway.DomainRef ref = gw.lookup(normal.name());
    gw.attachDevice(ref, DIMM_256, Scope.LIVE);
    normal.probe().awaitReport("6 blocks online", r -> r.blocksTotal() == 6 && r.blocksOffline().isEmpty(), GUEST);
    String xmlBefore = normal.xml(false);
    try (DeviceEventWatch w = gw.watch(ref, null, DomainEvent.Type.DEVICE_REMOVED, DomainEvent.Type.DEVICE_REMOVAL_FAILED)) {
      long t0 = System.nanoTime();
      Throwable refused = null;
      try {
        gw.detachDevice(ref, DIMM_256, Scope.LIVE);
      } catch (RuntimeException ex) {
        refused = ex; // libvirt may also report the refusal as the call's error
      }
      Optional<DomainEvent> e = w.await(GUEST);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("[events] refused DIMM detach -> call " + (refused == null ? "returned" : "threw " + refused.getMessage())
          + ", event " + e + " after " + ms + " ms");
      assertThat(e).hasValueSatisfying(ev -> {
        assertThat(ev.type()).isEqualTo(DomainEvent.Type.DEVICE_REMOVAL_FAILED);
        assertThat(ev.deviceAlias()).hasValue("dimm0");
      });
      assertThat(ms).as("well under the %s timeout", GUEST).isLessThan(GUEST.toMillis() / 2);
    }
    assertThat(LabIt.dimms(normal.xml(false))).isEqualTo(1);
    assertThat(normal.xml(false)).isEqualTo(xmlBefore);
  }

  private static LibvirtGateway gateway() {
    return gateway;
  }
}
