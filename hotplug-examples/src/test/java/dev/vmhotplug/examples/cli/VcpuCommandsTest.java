package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.testkit.TestDriverNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hotplug vcpucount}, {@code setvcpus} and {@code prepare-domain} in-process against libvirt's
 * test driver. Each run opens its own connection, and each connection starts from the node file, so
 * a refused run is shown to change nothing by the table of the next run.
 */
class VcpuCommandsTest {
  @TempDir Path dir;
  String uri;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = HotplugCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** web: running 2 of 8; off: shut off 2 of 4; tr: transient 1 of 4; k1: kvm, 2 of 2, not prepared. */
  @BeforeEach
  void node() {
    uri = TestDriverNode.write(dir,
        TestDomain.named("web").vcpus(2, 8).build(),
        TestDomain.named("off").vcpus(2, 4).shutOff().build(),
        TestDomain.named("tr").vcpus(1, 4).persistent(false).build(),
        TestDomain.named("k1").type("kvm").vcpus(2, 2).build()).uri();
  }

  // ---------------------------------------------------------------- vcpucount

  @Test
  void vcpucount_running_printsVirshTable() {
    Run r = run("-c", uri, "vcpucount", "web");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("maximum      config         8\nmaximum      live           8\n"
        + "current      config         2\ncurrent      live           2\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void vcpucount_uriAfterTheCommand_worksToo() {
    Run r = run("vcpucount", "-c", uri, "off");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("maximum      config         4\ncurrent      config         2\n");
  }

  @Test
  void vcpucount_json_printsOneObjectWithNullForAbsentSides() {
    Run r = run("-c", uri, "vcpucount", "tr", "--json");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).isEqualTo(
        "{\"domain\":\"tr\",\"maximumConfig\":null,\"maximumLive\":4,\"currentConfig\":null,\"currentLive\":1}");
  }

  @Test
  void vcpucount_unknownDomain_exits1NamingTheUri() {
    Run r = run("-c", uri, "vcpucount", "nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no domain 'nope' on " + uri).contains("list --all");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void vcpucount_unreachableUri_exits1WithHint() {
    Run r = run("-c", "qemu+tcp://127.0.0.1:1/system", "vcpucount", "web");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cannot connect to qemu+tcp://127.0.0.1:1/system");
  }

  @Test
  void vcpucount_missingDomain_isUsageError() {
    Run r = run("-c", uri, "vcpucount");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'DOMAIN'");
  }

  // ---------------------------------------------------------------- setvcpus

  @Test
  void setvcpus_default_isLiveAndPrintsTheResultingTable() {
    Run r = run("-c", uri, "setvcpus", "web", "4");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("domain 'web': vCPUs 2 -> 4 (hot-plug) --live (verified: host)\n")
        .endsWith("current      config         2\ncurrent      live           4\n");
  }

  @Test
  void setvcpus_liveAndConfig_changesBoth() {
    Run r = run("-c", uri, "setvcpus", "web", "6", "--live", "--config");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("current      config         6\ncurrent      live           6\n");
  }

  @Test
  void setvcpus_configOnShutOffDomain_changesTheDefinition() {
    Run r = run("-c", uri, "setvcpus", "off", "3", "--config");
    assertThat(r.code()).isZero();
    assertThat(r.out()).endsWith("maximum      config         4\ncurrent      config         3\n");
  }

  @Test
  void setvcpus_sameCount_saysNothingChanged() {
    Run r = run("-c", uri, "setvcpus", "web", "2");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("domain 'web' already has 2 vCPU(s) (--live): nothing changed\n");
  }

  @Test
  void setvcpus_aboveMaximum_exits1WithFixAndNothingChanged() {
    Run r = run("-c", uri, "setvcpus", "web", "9", "--live", "--config");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (ABOVE_MAXIMUM)").contains("virsh setvcpus web 9 --maximum --config")
        .contains("nothing was changed");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void setvcpus_zero_exits1() {
    Run r = run("-c", uri, "setvcpus", "web", "0");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (COUNT_BELOW_ONE)").contains("at least 1 vCPU");
  }

  @Test
  void setvcpus_liveOnShutOffDomain_exits1() {
    Run r = run("-c", uri, "setvcpus", "off", "3", "--live");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (NOT_RUNNING)").contains("virsh start off");
  }

  @Test
  void setvcpus_configOnTransientDomain_exits1() {
    Run r = run("-c", uri, "setvcpus", "tr", "2", "--config");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (NOT_PERSISTENT)").contains("Use .live() only");
  }

  @Test
  void setvcpus_countNotANumber_isUsageError() {
    Run r = run("-c", uri, "setvcpus", "web", "four");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("COUNT");
  }

  @Test
  void setvcpus_negativeTimeout_isUsageError() {
    Run r = run("-c", uri, "setvcpus", "web", "3", "--timeout", "-1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--timeout must be 0 or more seconds");
  }

  // ---------------------------------------------------------------- prepare-domain

  @Test
  void prepareDomain_unprepared_listsChangesAndColdBoot() {
    Run r = run("-c", uri, "prepare-domain", "k1", "--max-vcpus", "8", "--max-memory", "16GiB", "--slots", "16");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("domain 'k1' prepared for ")
        .contains("takes effect at the next cold boot: virsh shutdown k1; virsh start k1");
  }

  @Test
  void prepareDomain_sizeWithoutUnit_isUsageErrorSuggestingOne() {
    Run r = run("-c", uri, "prepare-domain", "k1", "--max-vcpus", "8", "--max-memory", "16384", "--slots", "16");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--max-memory").contains("MiB");
  }

  @Test
  void prepareDomain_slotsOutOfRange_isUsageError() {
    Run r = run("-c", uri, "prepare-domain", "k1", "--max-vcpus", "8", "--max-memory", "16GiB", "--slots", "999");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("999");
  }

  @Test
  void prepareDomain_maxBelowCurrent_exits1AndDefinesNothing() {
    Run r = run("-c", uri, "prepare-domain", "k1", "--max-vcpus", "1", "--max-memory", "16GiB", "--slots", "16");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (PREPARATION_REFUSED)").contains("cannot prepare domain 'k1'");
    assertThat(r.out()).isEmpty();
  }

  // ---------------------------------------------------------------- URI resolution

  @Test
  void resolve_noOptionNoEnv_isQemuSystem() {
    assertThat(ConnectionOptions.resolve(null, Map.of())).isEqualTo("qemu:///system");
    assertThat(ConnectionOptions.resolve(null, Map.of("LIBVIRT_DEFAULT_URI", "test:///default")))
        .isEqualTo("test:///default");
    assertThat(ConnectionOptions.resolve("qemu+ssh://h/system", Map.of("LIBVIRT_DEFAULT_URI", "test:///default")))
        .isEqualTo("qemu+ssh://h/system");
  }
}
