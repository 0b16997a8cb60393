package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.MemoryModel;
import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PartXml;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The pure virtio-mem planning. The domains are shaped like what libvirt 9.0 + QEMU 7.2 return for
 * the lab's virtio-mem guest (docs/lab-virtio-mem.md): the live device has an alias, a PCI address
 * and {@code <current>}, the persistent one the address only; {@code <memory>} counts each device's
 * whole size.
 */
class VirtioMemPlannerTest {

  static String vmem(int node, long sizeMiB, long requestedKiB, Long currentKiB, String alias, int slot) {
    return "    <memory model='virtio-mem'>\n      <target>\n"
        + "        <size unit='KiB'>" + sizeMiB * 1024 + "</size>\n"
        + "        <node>" + node + "</node>\n"
        + "        <block unit='KiB'>2048</block>\n"
        + "        <requested unit='KiB'>" + requestedKiB + "</requested>\n"
        + (currentKiB == null ? "" : "        <current unit='KiB'>" + currentKiB + "</current>\n")
        + "      </target>\n"
        + (alias == null ? "" : "      <alias name='" + alias + "'/>\n")
        + "      <address type='pci' domain='0x0000' bus='0x00' slot='0x0" + slot + "' function='0x0'/>\n"
        + "    </memory>\n";
  }

  static DomainXml domain(String type, String arch, String machine, int cells, String devices) {
    StringBuilder cell = new StringBuilder();
    for (int i = 0; i < cells; i++) {
      cell.append("      <cell id='").append(i).append("' cpus='").append(i * 2).append('-').append(i * 2 + 1)
          .append("' memory='").append(524288 / cells).append("' unit='KiB'/>\n");
    }
    long deviceKiB = 0;
    for (MemoryDevice d : DomainXml.parse("<domain type='kvm'><name>x</name><devices>" + devices
        + "</devices></domain>").memoryDevices()) {
      deviceKiB += d.targetSize().orElseThrow().toKiB();
    }
    return DomainXml.parse("<domain type='" + type + "'" + (cells > 0 ? " id='7'" : "") + ">\n"
        + "  <name>vm-1</name>\n"
        + "  <maxMemory slots='16' unit='KiB'>4194304</maxMemory>\n"
        + "  <memory unit='KiB'>" + (524288 + deviceKiB) + "</memory>\n"
        + "  <currentMemory unit='KiB'>524288</currentMemory>\n"
        + "  <vcpu placement='static' current='2'>4</vcpu>\n"
        + "  <os><type arch='" + arch + "' machine='" + machine + "'>hvm</type></os>\n"
        + "  <cpu>\n    <numa>\n" + cell + "    </numa>\n  </cpu>\n"
        + "  <devices>\n" + devices + "  </devices>\n"
        + "</domain>\n");
  }

  /** The lab guest's live XML: one 1 GiB device on node 0, requested and current as given. */
  static DomainXml live(long requestedKiB, long currentKiB) {
    return domain("qemu", "x86_64", "pc-i440fx-7.2", 1, vmem(0, 1024, requestedKiB, currentKiB, "virtiomem0", 3));
  }

  /** Its persistent XML: the same device, address only. */
  static DomainXml config(long requestedKiB) {
    return domain("qemu", "x86_64", "pc-i440fx-7.2", 1, vmem(0, 1024, requestedKiB, null, null, 3));
  }

  static VirtioMemPlanner.Request req(MemoryPlan.Operation op, MemorySize size, Scope scope) {
    return new VirtioMemPlanner.Request(op, size, OptionalInt.empty(), Optional.empty(), scope);
  }

  static MemoryPlan planLive(VirtioMemPlanner.Request r, DomainXml live) {
    return VirtioMemPlanner.plan(r, Optional.of(live), Optional.empty());
  }

  @Test
  void grow_live_oneUpdateWithTheLiveDeviceXml_aliasAndAddressKept_currentDropped() {
    MemoryPlan p = planLive(req(MemoryPlan.Operation.ADD, MemorySize.ofMiB(512), Scope.LIVE), live(0, 0));

    assertThat(p.model()).isEqualTo(MemoryModel.VIRTIO_MEM);
    assertThat(p.steps()).singleElement().satisfies(s -> {
      assertThat(s.action()).isEqualTo(MemoryPlan.Action.UPDATE);
      assertThat(s.scopeIn(p.scope())).isEqualTo(Scope.LIVE);
      assertThat(s.from()).hasValue(MemorySize.ZERO);
      assertThat(s.requestedAfter()).hasValue(MemorySize.ofMiB(512));
      MemoryDevice sent = PartXml.fromXml(s.xml(), MemoryDevice.class);
      assertThat(sent.alias()).hasValue("virtiomem0");
      assertThat(sent.addressType()).hasValue("pci");
      assertThat(sent.currentSize()).isEmpty();
      assertThat(sent.targetSize()).hasValue(MemorySize.ofGiB(1));
      assertThat(sent.blockSize()).hasValue(MemorySize.ofMiB(2));
      assertThat(s.detail()).isEqualTo("update virtio-mem node 0 (virtiomem0) requested 0 B -> 512 MiB");
    });
    // the memory given to the guest: 512 MiB boot + requested; <memory> (1.5 GiB) does not change
    assertThat(p.liveMemoryBefore()).hasValue(MemorySize.ofMiB(512));
    assertThat(p.liveMemoryAfter()).hasValue(MemorySize.ofGiB(1));
    assertThat(p.total()).isEqualTo(MemorySize.ofMiB(512));
    assertThat(p.configMemoryBefore()).isEmpty();
  }

  @Test
  void bothScopes_twoCalls_liveThenConfig_eachWithItsSidesDevice() {
    MemoryPlan p = VirtioMemPlanner.plan(req(MemoryPlan.Operation.RESIZE, MemorySize.ofMiB(768), Scope.LIVE_AND_CONFIG),
        Optional.of(live(262144, 262144)), Optional.of(config(0)));

    assertThat(p.steps()).hasSize(2);
    MemoryPlan.Step l = p.steps().get(0);
    MemoryPlan.Step c = p.steps().get(1);
    assertThat(l.scopeIn(p.scope())).isEqualTo(Scope.LIVE);
    assertThat(l.from()).hasValue(MemorySize.ofMiB(256));
    assertThat(l.device().alias()).hasValue("virtiomem0");
    assertThat(c.scopeIn(p.scope())).isEqualTo(Scope.CONFIG);
    assertThat(c.from()).hasValue(MemorySize.ZERO);
    assertThat(c.device().alias()).isEmpty();
    assertThat(c.device().addressType()).hasValue("pci");
    assertThat(c.requestedAfter()).hasValue(MemorySize.ofMiB(768));
    assertThat(p.liveMemoryAfter()).hasValue(MemorySize.ofMiB(1280));
    assertThat(p.configMemoryBefore()).hasValue(MemorySize.ofMiB(512));
    assertThat(p.configMemoryAfter()).hasValue(MemorySize.ofMiB(1280));
    assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("one updateDeviceFlags call per scope"));
  }

  @Test
  void resizeToWhatItHas_noCall_aNoteSaysSo() {
    MemoryPlan p = VirtioMemPlanner.plan(req(MemoryPlan.Operation.RESIZE, MemorySize.ofMiB(256), Scope.LIVE_AND_CONFIG),
        Optional.of(live(262144, 262144)), Optional.of(config(262144)));
    assertThat(p.changes()).isFalse();
    assertThat(p.steps()).isEmpty();
    assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("already has requested 256 MiB"));
  }

  @Test
  void shrink_noteNamesMovableOnlining() {
    MemoryPlan p = planLive(req(MemoryPlan.Operation.REMOVE, MemorySize.ofMiB(128), Scope.LIVE), live(262144, 262144));
    assertThat(p.steps()).singleElement().satisfies(s -> assertThat(s.requestedAfter()).hasValue(MemorySize.ofMiB(128)));
    assertThat(p.liveMemoryAfter()).hasValue(MemorySize.ofMiB(640));
    assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("online_movable", "ZONE_NORMAL"));
  }

  @Test
  void notAMultipleOfTheBlock_refusedWithTheTwoNeighbours() {
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.RESIZE, MemorySize.ofKiB(1000), Scope.LIVE), live(0, 0)))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_BLOCK_ALIGNED))
        .hasMessageContaining("not a multiple of the device's block size 2 MiB")
        .hasMessageContaining("Use 2 MiB");
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.ADD, MemorySize.ofMiB(5), Scope.LIVE), live(0, 0)))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_BLOCK_ALIGNED))
        .hasMessageContaining("Use 4 MiB or 6 MiB");
  }

  @Test
  void aboveTheDeviceSize_refusedWithTheRoom() {
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.ADD, MemorySize.ofMiB(1024), Scope.LIVE),
        live(262144, 262144)))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAX_MEMORY))
        .hasMessageContaining("room for 768 MiB")
        .hasMessageContaining("Add at most 768 MiB");
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.RESIZE, MemorySize.ofMiB(2048), Scope.LIVE), live(0, 0)))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAX_MEMORY))
        .hasMessageContaining("above the device's size 1 GiB");
  }

  @Test
  void shrinkBelowZero_refused() {
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.REMOVE, MemorySize.ofMiB(512), Scope.LIVE),
        live(262144, 262144)))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOTHING_TO_REMOVE))
        .hasMessageContaining("it has only 256 MiB requested")
        .hasMessageContaining("cannot shrink below 0")
        .hasMessageContaining("Remove at most 256 MiB");
  }

  @Test
  void nodeWithoutADevice_refusedNamingTheNodesThatHaveOne() {
    DomainXml twoCells = domain("qemu", "x86_64", "pc", 2, vmem(0, 512, 0, 0L, "virtiomem0", 3));
    assertThatThrownBy(() -> planLive(new VirtioMemPlanner.Request(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128),
        OptionalInt.of(1), Optional.empty(), Scope.LIVE), twoCells))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NODE_OUT_OF_RANGE))
        .hasMessageContaining("no virtio-mem device on NUMA node 1")
        .hasMessageContaining("use node(0)")
        .hasMessageContaining("virtioMem(true)");
  }

  @Test
  void twoDevices_noNodeNoAlias_refused_nodeOrAliasPicksOne() {
    DomainXml two = domain("qemu", "x86_64", "pc", 2, vmem(0, 512, 0, 0L, "virtiomem0", 3)
        + vmem(1, 512, 0, 0L, "virtiomem1", 4));
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128), Scope.LIVE), two))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
        .hasMessageContaining("has 2 virtio-mem devices")
        .hasMessageContaining("node(N) or alias(A)");
    MemoryPlan byNode = planLive(new VirtioMemPlanner.Request(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128),
        OptionalInt.of(1), Optional.empty(), Scope.LIVE), two);
    assertThat(byNode.steps()).singleElement().satisfies(s -> assertThat(s.device().alias()).hasValue("virtiomem1"));
    MemoryPlan byAlias = planLive(new VirtioMemPlanner.Request(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128),
        OptionalInt.empty(), Optional.of("virtiomem0"), Scope.LIVE), two);
    assertThat(byAlias.steps()).singleElement().satisfies(s -> assertThat(s.node()).isZero());
    assertThatThrownBy(() -> planLive(new VirtioMemPlanner.Request(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128),
        OptionalInt.empty(), Optional.of("ua-nope"), Scope.LIVE), two))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
        .hasMessageContaining("no virtio-mem device with alias 'ua-nope'")
        .hasMessageContaining("alias virtiomem1");
  }

  @Test
  void noDevice_onAnX86PcKvmDomain_notPreparedWithTheVirtioMemPreparation() {
    DomainXml none = domain("kvm", "x86_64", "pc-q35-7.2", 1, "");
    assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128), Scope.LIVE), none))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PREPARED))
        .hasMessageContaining("has no virtio-mem device in its live definition")
        .hasMessageContaining("virtioMem(true)")
        .hasMessageContaining("coldBoot")
        .hasMessageContaining("model(MemoryModel.DIMM)");
  }

  @Test
  void noDevice_onATypeArchOrMachineThatCannotHaveOne_notSupported() {
    for (DomainXml x : new DomainXml[] {domain("xen", "x86_64", "pc", 1, ""), domain("kvm", "aarch64", "virt", 1, ""),
        domain("kvm", "x86_64", "isapc", 1, "")}) {
      assertThatThrownBy(() -> planLive(req(MemoryPlan.Operation.ADD, MemorySize.ofMiB(128), Scope.LIVE), x))
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_SUPPORTED))
          .hasMessageContaining("virtio-mem");
    }
  }

  @Test
  void modelChoice_virtioMemWhenTheDomainHasIt_dimmOtherwise_theAskedOneWins() {
    assertThat(VirtioMemPlanner.choose(Optional.empty(), Optional.of(live(0, 0)), Optional.empty()))
        .isEqualTo(MemoryModel.VIRTIO_MEM);
    DomainXml none = domain("kvm", "x86_64", "pc", 1, "");
    assertThat(VirtioMemPlanner.choose(Optional.empty(), Optional.of(none), Optional.empty())).isEqualTo(MemoryModel.DIMM);
    assertThat(VirtioMemPlanner.choose(Optional.of(MemoryModel.DIMM), Optional.of(live(0, 0)), Optional.empty()))
        .isEqualTo(MemoryModel.DIMM);
    assertThat(VirtioMemPlanner.modelNote(MemoryModel.VIRTIO_MEM, false, Optional.of(live(0, 0)), Optional.empty()))
        .contains("model virtio-mem", "1 virtio-mem device(s)", "node 0 alias virtiomem0", "model(MemoryModel.DIMM)");
  }

  @Test
  void pluggedMemory_countsRequestedInsteadOfTheDeviceSize() {
    assertThat(MemoryPlanner.totalMemory(live(262144, 131072))).isEqualTo(MemorySize.ofMiB(1536));
    assertThat(VirtioMemPlanner.pluggedMemory(live(262144, 131072))).isEqualTo(MemorySize.ofMiB(768));
    DomainXml none = domain("kvm", "x86_64", "pc", 1, "");
    assertThat(VirtioMemPlanner.pluggedMemory(none)).isEqualTo(MemoryPlanner.totalMemory(none));
  }
}
