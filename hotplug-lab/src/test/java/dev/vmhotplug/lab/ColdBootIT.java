package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.ColdBootResult;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PrepareResult;
import dev.vmhotplug.core.ShutdownTimeoutException;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cold boot on real guests: prepare → cold boot → hot-add without leaving the SDK; the shutdown
 * through the ACPI power button (busybox acpid) and through the guest agent; a guest that ignores
 * the power button gets a ShutdownTimeoutException and keeps running, and is forced off only when
 * asked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ColdBootIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final Duration BOOT = LabDomain.BOOT_TIMEOUT;

  static HotplugClient client;
  static LabDomain plain;
  static LabDomain withAgent;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("cb").persistent(true).prepared(false).build(),
        DomainSpec.builder("cb-ga").persistent(true).agent(true).rules(GuestRules.NONE).build());
    plain = vms.get(0);
    withAgent = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  @Order(1)
  void prepareThenColdBootThenHotAdd_withoutLeavingTheSdk() {
    DomainHandle d = client.domain(plain.name());
    assertThat(d.vcpuCount().maximumLive()).hasValue(2);
    PrepareResult p = d.prepare(HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofMiB(2048)).slots(4).build());
    assertThat(p.coldBootNeeded()).isTrue();

    ColdBootResult r = d.coldBoot().after(p).shutdownTimeout(Duration.ofSeconds(90)).apply();

    assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
    assertThat(r.steps()).extracting(ColdBootResult.Step::action).containsExactly("shutdown requested", "shut off",
        "started");
    assertThat(plain.probe().awaitLine(0, "the ACPI power-off", l -> l.startsWith("HPCMD poweroff by 00000080"), GUEST))
        .isNotNull();
    plain.probe().awaitReport("the second boot", x -> x.boot() == 2, BOOT);
    assertThat(d.vcpuCount().maximumLive()).hasValue(4);

    d.vcpus().set(3).live().apply();

    plain.probe().awaitReport("3 CPUs online in the second boot", x -> x.boot() == 2 && x.cpusOnline().equals("0-2"),
        GUEST);
  }

  @Test
  @Order(2)
  void guestWithAgent_libvirtShutsItDownThroughTheAgent() {
    DomainHandle d = client.domain(withAgent.name());
    withAgent.awaitAgent(d, Duration.ofSeconds(60));

    ColdBootResult r = d.coldBoot().apply();

    assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
    assertThat(withAgent.probe().awaitLine(0, "qemu-ga's power-off",
        l -> l.startsWith("HPCMD poweroff by shutdown -h -P +0"), GUEST)).isNotNull();
    withAgent.probe().awaitReport("the second boot", x -> x.boot() == 2, BOOT);
  }

  @Test
  @Order(3)
  void guestIgnoresThePowerButton_timeoutNothingForced_thenForcedOnlyWhenAsked() {
    DomainHandle d = client.domain(plain.name());
    plain.command("acpi-ignore", Duration.ofSeconds(30));
    int mark = plain.probe().mark();

    assertThatThrownBy(() -> d.coldBoot().shutdownTimeout(Duration.ofSeconds(10)).apply())
        .isInstanceOfSatisfying(ShutdownTimeoutException.class, e -> assertThat(e.steps())
            .extracting(ColdBootResult.Step::action).containsExactly("shutdown requested", "still running"))
        .hasMessageContaining("still running 10 s after the shutdown request")
        .hasMessageContaining("Nothing was forced");

    assertThat(d.isRunning()).isTrue();
    // the same boot goes on reporting
    plain.probe().awaitReportAfter(mark + 1, "a report of the same boot", x -> x.boot() == 2, GUEST);

    ColdBootResult r = d.coldBoot().shutdownTimeout(Duration.ofSeconds(5)).forceOffAfterTimeout().apply();

    assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.FORCED_OFF_AND_STARTED);
    assertThat(r.steps()).extracting(ColdBootResult.Step::action).containsExactly("shutdown requested", "forced off",
        "started");
    plain.probe().awaitReport("the third boot", x -> x.boot() == 3, BOOT);
    // prepared definition and the config vCPU count survive: 2 of 4 (the hot-add was live only)
    assertThat(d.vcpuCount().maximumLive()).hasValue(4);
    assertThat(d.vcpuCount().currentLive()).hasValue(2);
  }
}
