package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.EnsureResult;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.lab.DomainSpec;
import dev.vmhotplug.lab.GuestRules;
import dev.vmhotplug.lab.LabDomain;
import dev.vmhotplug.lab.VmLabExtension;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The recipes that need a real hypervisor (libvirt's test driver cannot attach devices), on two lab
 * guests booted together: {@code mov} (memory onlined movable, guest agent, persistent) runs
 * AddMemoryLive, VerifyWithGuestAgent, EnsureWithDryRun with memory and RemoveMemory; {@code std}
 * (memory onlined normal, persistent) shows RemoveMemory's refusal path.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecipesIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  /** Per guest-visible change (under a second normally; TCG gets slow when the other core compiles). */
  static final Duration GUEST = Duration.ofSeconds(30);
  static final MemorySize DIMM = MemorySize.ofMiB(256);
  static final long MIB = 1024;

  static HotplugClient client;
  static LabDomain mov;
  static LabDomain std;

  @BeforeAll
  static void boot() {
    CompletableFuture<LabDomain> m = CompletableFuture.supplyAsync(() -> LAB.boot(
        DomainSpec.builder("rcp-mov").rules(GuestRules.MOVABLE).agent(true).persistent(true).build()));
    CompletableFuture<LabDomain> s = CompletableFuture.supplyAsync(() -> LAB.boot(
        DomainSpec.builder("rcp-std").rules(GuestRules.STANDARD).persistent(true).build()));
    mov = join(m);
    std = join(s);
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
  void addMemoryLive_dimmInTheLiveXmlOnly_guestOnlinesIt() {
    RecipeNodes.Out out = new RecipeNodes.Out();

    MemoryResult r = AddMemoryLive.run(client, mov.name(), DIMM, out.stream);

    assertThat(r.after().live().orElseThrow().memory()).isEqualTo(MemorySize.ofMiB(512 + 256));
    assertThat(dimms(mov.xml(false))).isEqualTo(1);
    assertThat(dimms(mov.xml(true))).isZero();
    mov.probe().awaitReport("6 memory blocks online", x -> x.blocksTotal() == 6 && x.blocksOffline().isEmpty(), GUEST);
    assertThat(out.text()).contains("memory (live): 512 MiB -> 768 MiB");
  }

  @Test
  @Order(2)
  void verifyWithGuestAgent_addedDimm_guestVerdictOk() {
    mov.awaitAgent(client.domain(mov.name()), Duration.ofSeconds(60));
    RecipeNodes.Out out = new RecipeNodes.Out();

    Optional<GuestVerdict> verdict = VerifyWithGuestAgent.run(client, mov.name(), DIMM, out.stream);

    assertThat(verdict).as(out.text()).isPresent();
    assertThat(verdict.get().status()).as(out.text()).isEqualTo(GuestVerdict.Status.OK);
    assertThat(dimms(mov.xml(false))).isEqualTo(2);
    assertThat(dimms(mov.xml(true))).isEqualTo(1);
    assertThat(out.text()).contains("guest verdict: OK");
  }

  @Test
  @Order(3)
  void ensureWithMemory_threeVcpusAndOneGiB_configCatchesUp_secondApplyChangesNothing() {
    RecipeNodes.Out out = new RecipeNodes.Out();

    EnsureResult again = EnsureWithDryRun.run(client, mov.name(), 3, MemorySize.ofGiB(1), out.stream);

    assertThat(again.changed()).as(out.text()).isFalse();
    DomainHandle d = client.domain(mov.name());
    assertThat(d.vcpuCount().currentLive()).hasValue(3);
    assertThat(d.vcpuCount().currentConfig()).hasValue(3);
    assertThat(d.memoryView().live().orElseThrow().memory()).isEqualTo(MemorySize.ofGiB(1));
    assertThat(d.memoryView().config().orElseThrow().memory()).isEqualTo(MemorySize.ofGiB(1));
    mov.probe().awaitReport("3 CPUs online", x -> x.cpusOnline().equals("0-2"), GUEST);
    assertThat(out.text()).contains("dry run:").contains("second apply: nothing to change");
  }

  @Test
  @Order(4)
  void removeMemory_movableGuest_dimmGoneLiveAndConfig() {
    RecipeNodes.Out out = new RecipeNodes.Out();

    Optional<MemoryResult> r = RemoveMemory.run(client, mov.name(), DIMM, out.stream);

    assertThat(r).as(out.text()).isPresent();
    assertThat(dimms(mov.xml(false))).isEqualTo(1);
    assertThat(dimms(mov.xml(true))).isEqualTo(1);
    mov.probe().awaitReport("6 memory blocks left", x -> x.blocksTotal() == 6, GUEST);
  }

  @Test
  @Order(5)
  void removeMemory_normalGuestRefuses_adviceWithTheMovableRule_dimmStays() {
    client.domain(std.name()).memory().add(DIMM).live().config().apply();
    std.probe().awaitReport("6 memory blocks online", x -> x.blocksTotal() == 6 && x.blocksOffline().isEmpty(), GUEST);
    RecipeNodes.Out out = new RecipeNodes.Out();

    Optional<MemoryResult> r = RemoveMemory.run(client, std.name(), DIMM, out.stream);

    assertThat(r).as(out.text()).isEmpty();
    assertThat(out.text())
        .contains("The guest kept its memory")
        .contains("81-mem-hotplug.rules:")
        .contains("ATTR{state}=\"online_movable\"");
    assertThat(dimms(std.xml(false))).isEqualTo(1);
    std.probe().awaitReport("still 6 blocks online", x -> x.blocksTotal() == 6 && x.blocksOffline().isEmpty(), GUEST);
  }

  private static LabDomain join(CompletableFuture<LabDomain> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private static int dimms(String xml) {
    int n = 0;
    for (int i = xml.indexOf("<memory model='dimm'"); i >= 0; i = xml.indexOf("<memory model='dimm'", i + 1)) {
      n++;
    }
    return n;
  }
}
