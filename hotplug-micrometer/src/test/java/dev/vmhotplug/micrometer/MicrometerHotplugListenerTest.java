package dev.vmhotplug.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.InvalidArgumentException;
import dev.vmhotplug.core.LibvirtException;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.xml.MemorySize;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Micrometer listener on libvirt's in-process test driver (a node file with a running domain
 * {@code web}, 2 of 8 vCPUs, and a running domain {@code mem} prepared for DIMMs): a real vCPU
 * change, a refusal, a real libvirt failure (the test driver cannot attach devices), each read back
 * from a {@link SimpleMeterRegistry} by name and tags.
 */
class MicrometerHotplugListenerTest {
  @TempDir Path dir;

  private String node() throws IOException {
    String xml = "<?xml version='1.0'?>\n<node>\n"
        + "  <domain type='test'>\n    <name>web</name>\n"
        + "    <memory unit='MiB'>1024</memory>\n    <currentMemory unit='MiB'>1024</currentMemory>\n"
        + "    <vcpu placement='static' current='2'>8</vcpu>\n    <os><type arch='x86_64'>hvm</type></os>\n"
        + "  </domain>\n"
        + "  <domain type='test'>\n    <name>mem</name>\n"
        + "    <maxMemory slots='4' unit='KiB'>4194304</maxMemory>\n"
        + "    <memory unit='KiB'>1048576</memory>\n    <currentMemory unit='KiB'>1048576</currentMemory>\n"
        + "    <vcpu placement='static' current='2'>4</vcpu>\n    <os><type arch='x86_64'>hvm</type></os>\n"
        + "    <cpu>\n      <numa>\n        <cell id='0' cpus='0-3' memory='1048576' unit='KiB'/>\n"
        + "      </numa>\n    </cpu>\n"
        + "  </domain>\n"
        + "</node>\n";
    Path file = dir.resolve("node.xml");
    Files.writeString(file, xml);
    return "test://" + file.toAbsolutePath();
  }

  private static HotplugClient client(String uri, MicrometerHotplugListener l) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofSeconds(10))
        .listener(l).connect(uri);
  }

  private static Set<String> tagKeys(Meter m) {
    Set<String> keys = new TreeSet<>();
    for (Tag t : m.getId().getTags()) {
      keys.add(t.getKey());
    }
    return keys;
  }

  @Test
  void vcpuSet_recordsOperationCallsStepAndVerification_withBoundedTagsOnly() throws IOException {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (HotplugClient c = client(node(), MicrometerHotplugListener.create(reg))) {
      VcpuResult r = c.domain("web").vcpus().set(4).live().apply();
      assertThat(c.domain("web").vcpuCount().currentLive()).hasValue(4);

      Timer op = reg.get("vmhotplug.operation").tags("op", "vcpus.set", "outcome", "APPLIED", "exception", "none")
          .timer();
      assertThat(op.count()).isEqualTo(1);
      assertThat(op.totalTime(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(reg.find("vmhotplug.operation").timers()).hasSize(1);

      // one live read before, the call, one live read to verify: as HotplugListenerTest sees them
      assertThat(reg.get("vmhotplug.libvirt.call").tags("op", "vcpus.set", "call", "setVcpus(LIVE)",
          "outcome", "success", "exception", "none").timer().count()).isEqualTo(1);
      assertThat(reg.get("vmhotplug.libvirt.call").tags("call", "xml(live)", "outcome", "success").timer().count())
          .isEqualTo(1 + r.attempts());
      assertThat(reg.find("vmhotplug.libvirt.call").tag("outcome", "error").timers()).isEmpty();

      assertThat(reg.get("vmhotplug.steps").tags("op", "vcpus.set", "action", "setVcpusFlags", "scope", "LIVE")
          .counter().count()).isEqualTo(1.0);
      assertThat(reg.get("vmhotplug.verification").tags("op", "vcpus.set", "by", "poll").timer().count())
          .isEqualTo(1);
      assertThat(reg.get("vmhotplug.verification.reads").tags("by", "poll").counter().count())
          .isEqualTo(r.attempts());
      assertThat(reg.find("vmhotplug.refusals").counters()).isEmpty();

      // cardinality: no host, no domain unless asked for
      for (Meter m : reg.getMeters()) {
        assertThat(tagKeys(m)).doesNotContain("host", "domain");
      }
    }
  }

  @Test
  void noChange_isAnOperationWithOutcomeNoChange_andNoStep() throws IOException {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (HotplugClient c = client(node(), MicrometerHotplugListener.create(reg))) {
      c.domain("web").vcpus().set(2).live().apply();
      assertThat(reg.get("vmhotplug.operation").tags("outcome", "NO_CHANGE").timer().count()).isEqualTo(1);
      assertThat(reg.find("vmhotplug.steps").counters()).isEmpty();
      assertThat(reg.find("vmhotplug.verification").timers()).isEmpty();
    }
  }

  @Test
  void refusedAboveTheMaximum_countsTheRefusal_andNothingChanges() throws IOException {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (HotplugClient c = client(node(), MicrometerHotplugListener.create(reg))) {
      DomainHandle web = c.domain("web");
      String live = web.xml(false);
      Throwable t = catchThrowable(() -> web.vcpus().set(9).live().apply());
      assertThat(t).isInstanceOf(PreconditionException.class);
      assertThat(((PreconditionException) t).refusal()).isEqualTo(Refusal.ABOVE_MAXIMUM);
      assertThat(web.xml(false)).isEqualTo(live);

      Counter refusals = reg.get("vmhotplug.refusals").tags("op", "vcpus.set", "refusal", "ABOVE_MAXIMUM").counter();
      assertThat(refusals.count()).isEqualTo(1.0);
      assertThat(reg.get("vmhotplug.operation").tags("op", "vcpus.set", "outcome", "REFUSED",
          "exception", t.getClass().getSimpleName()).timer().count()).isEqualTo(1);
      assertThat(reg.find("vmhotplug.libvirt.call").tag("call", "setVcpus(LIVE)").timers()).isEmpty();
      assertThat(reg.find("vmhotplug.steps").counters()).isEmpty();

      // the same refusal again counts on the same series
      assertThatThrownBy(() -> web.vcpus().set(12).live().apply()).isInstanceOf(PreconditionException.class);
      assertThat(refusals.count()).isEqualTo(2.0);
      assertThat(reg.find("vmhotplug.refusals").counters()).hasSize(1);
      // a bad argument is refused by the call that takes it, before any operation starts: no meter
      assertThatThrownBy(() -> web.vcpus().set(0)).isInstanceOf(InvalidArgumentException.class);
      assertThat(refusals.count()).isEqualTo(2.0);
      assertThat(reg.get("vmhotplug.operation").tags("outcome", "REFUSED").timer().count()).isEqualTo(2);
    }
  }

  @Test
  void libvirtFailure_recordsTheFailedCallAndTheFailedOperation() throws IOException {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (HotplugClient c = client(node(), MicrometerHotplugListener.create(reg))) {
      DomainHandle mem = c.domain("mem");
      String live = mem.xml(false);
      // the test driver has no device attach: a real libvirt error, nothing changed
      Throwable t = catchThrowable(() -> mem.memory().add(MemorySize.ofMiB(256)).live().apply());
      assertThat(t).isInstanceOf(LibvirtException.class).hasMessageContaining("not supported");
      assertThat(mem.xml(false)).isEqualTo(live);

      assertThat(reg.get("vmhotplug.operation").tags("op", "memory.add", "outcome", "FAILED",
          "exception", "LibvirtException").timer().count()).isEqualTo(1);
      List<Timer> errors = List.copyOf(reg.find("vmhotplug.libvirt.call").tag("outcome", "error").timers());
      assertThat(errors).hasSize(1);
      Timer failedCall = errors.get(0);
      assertThat(failedCall.getId().getTag("call")).startsWith("attachDevice(");
      assertThat(failedCall.getId().getTag("exception")).isEqualTo("LibvirtException");
      assertThat(failedCall.getId().getTag("op")).isEqualTo("memory.add");
      assertThat(failedCall.count()).isEqualTo(1);
      assertThat(reg.find("vmhotplug.steps").counters()).isEmpty();
      assertThat(reg.find("vmhotplug.verification").timers()).isEmpty();
      assertThat(reg.find("vmhotplug.refusals").counters()).isEmpty();
    }
  }

  @Test
  void hostAndDomainTags_areOptIn_prefixAndConstantTagsApply() throws IOException {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    MicrometerHotplugListener l = MicrometerHotplugListener.builder(reg).prefix("myapp.hotplug")
        .tags("region", "eu-1").hostTag(true).domainTag(true).build();
    try (HotplugClient c = client(node(), l)) {
      c.domain("web").vcpus().set(3).live().apply();
    }
    assertThat(reg.find("vmhotplug.operation").timers()).isEmpty();
    Timer op = reg.get("myapp.hotplug.operation").tags("op", "vcpus.set", "outcome", "APPLIED", "region", "eu-1",
        "host", "local", "domain", "web").timer();
    assertThat(op.count()).isEqualTo(1);
    for (Meter m : reg.getMeters()) {
      assertThat(m.getId().getName()).startsWith("myapp.hotplug.");
      assertThat(tagKeys(m)).contains("op", "region", "host", "domain");
    }
  }

  @Test
  void oneListenerForSeveralClients_addsUp() throws IOException {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    MicrometerHotplugListener l = MicrometerHotplugListener.create(reg);
    String uri = node();
    for (int i = 3; i <= 4; i++) {
      try (HotplugClient c = client(uri, l)) {
        c.domain("web").vcpus().set(i).live().apply();
      }
    }
    assertThat(reg.get("vmhotplug.operation").tags("outcome", "APPLIED").timer().count()).isEqualTo(2);
  }

  @Test
  void hostOf_takesTheUriHost_localWhenThereIsNone() {
    assertThat(MicrometerHotplugListener.hostOf("qemu+tls://host-17.example/system")).isEqualTo("host-17.example");
    assertThat(MicrometerHotplugListener.hostOf("qemu+ssh://admin@kvm2.example:2222/system?keyfile=/k"))
        .isEqualTo("kvm2.example");
    assertThat(MicrometerHotplugListener.hostOf("qemu:///system")).isEqualTo("local");
    assertThat(MicrometerHotplugListener.hostOf("test:///default")).isEqualTo("local");
    assertThat(MicrometerHotplugListener.hostOf("not a uri")).isEqualTo("unknown");
  }

  @Test
  void badSettings_areRefusedWithTheFix() {
    MeterRegistry reg = new SimpleMeterRegistry();
    assertThatThrownBy(() -> MicrometerHotplugListener.builder(reg).prefix("vmhotplug."))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("'vmhotplug.'").hasMessageContaining("e.g. \"vmhotplug\"")
        .extracting(e -> ((InvalidArgumentException) e).refusal()).isEqualTo(Refusal.INVALID_REQUEST);
    assertThatThrownBy(() -> MicrometerHotplugListener.builder(reg).prefix(""))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> MicrometerHotplugListener.builder(reg).tags("region"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("in pairs");
    assertThatThrownBy(() -> MicrometerHotplugListener.builder(reg).tags("op", "x"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'op'")
        .hasMessageContaining("choose another key");
    assertThatThrownBy(() -> MicrometerHotplugListener.builder(null)).isInstanceOf(NullPointerException.class);
    assertThat(reg.getMeters()).isEmpty();
  }
}
