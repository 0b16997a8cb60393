package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.xml.MemorySize;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** hotplug-core's refusals against the real daemon: refused before any change, domain unchanged. */
class RefusalIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain unprepared;
  static LabDomain oneSlot;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB,
        DomainSpec.builder("refuse-plain").prepared(false).persistent(true).build(),
        DomainSpec.builder("refuse-slot").slots(1).maxMemoryMiB(1024).persistent(true).build());
    unprepared = vms.get(0);
    oneSlot = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  /** Runs the call, expects the refusal, and checks that live XML, inactive XML and the guest are unchanged. */
  static PreconditionException refused(LabDomain vm, Refusal refusal, String fragment, Runnable call) {
    String live = vm.xml(false);
    String config = vm.xml(true);
    GuestReport guest = vm.probe().latest().orElseThrow();
    PreconditionException e = catchThrowableOfType(call::run, PreconditionException.class);
    assertThat(e).as("expected refusal " + refusal).isNotNull();
    assertThat(e.refusal()).isEqualTo(refusal);
    assertThat(e).hasMessageContaining(fragment);
    assertThat(vm.xml(false)).isEqualTo(live);
    assertThat(vm.xml(true)).isEqualTo(config);
    GuestReport now = vm.probe().latest().orElseThrow();
    assertThat(now.cpusPresent()).isEqualTo(guest.cpusPresent());
    assertThat(now.blocksTotal()).isEqualTo(guest.blocksTotal());
    return e;
  }

  @Test
  void unpreparedDomain_vcpuAndMemoryRefused() {
    DomainHandle d = client.domain(unprepared.name());
    refused(unprepared, Refusal.ABOVE_MAXIMUM, "maximum of 2", () -> d.vcpus().set(3).live().config().apply());
    refused(unprepared, Refusal.NOT_PREPARED, unprepared.name(),
        () -> d.memory().add(MemorySize.ofMiB(256)).live().config().apply());
  }

  @Test
  void preparedDomain_maxReached_misaligned_badNode_aboveMaxMemory_noFreeSlot() {
    DomainHandle d = client.domain(oneSlot.name());
    refused(oneSlot, Refusal.ABOVE_MAXIMUM, "at most 4", () -> d.vcpus().set(5).live().config().apply());
    refused(oneSlot, Refusal.NOT_BLOCK_ALIGNED, "128 MiB", () -> d.memory().add(MemorySize.ofMiB(100)).live().apply());
    refused(oneSlot, Refusal.NODE_OUT_OF_RANGE, "node", () -> d.memory().add(MemorySize.ofMiB(128)).node(1).live().apply());
    refused(oneSlot, Refusal.ABOVE_MAX_MEMORY, "1 GiB", () -> d.memory().add(MemorySize.ofGiB(1)).live().apply());

    d.memory().add(MemorySize.ofMiB(128)).live().config().apply(); // takes the only slot
    oneSlot.probe().awaitReport("5 blocks online", r -> r.blocksTotal() == 5 && r.blocksOffline().isEmpty(), LabIt.GUEST);

    refused(oneSlot, Refusal.NO_FREE_SLOT, "slot", () -> d.memory().add(MemorySize.ofMiB(128)).live().config().apply());
  }
}
