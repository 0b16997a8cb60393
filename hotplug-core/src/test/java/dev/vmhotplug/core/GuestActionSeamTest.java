package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.internal.VcpuPlanner;
import dev.vmhotplug.guest.truth.CpuList;
import dev.vmhotplug.guest.truth.GuestFacts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam for acting in the guest (onlining through the agent): a guest action runs once the host
 * shows the change and before the guest is verified.
 */
class GuestActionSeamTest {
  @TempDir Path dir;

  @Test
  void guestAction_runsAfterTheHostShowsTheChangeAndBeforeGuestVerification() {
    List<String> order = new CopyOnWriteArrayList<>();
    try (HotplugClient c = HotplugClient.builder().pollInterval(Duration.ofMillis(5)).connect(TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      GuestProbe probe = d -> {
        order.add("guest probe");
        return GuestFacts.builder().cpusOnline(CpuList.parse("0-3")).build();
      };
      OpContext.GuestAction online = (ctx, applied, warnings) -> {
        order.add("guest action: host shows " + web.vcpuCount().currentLive().getAsInt() + " after " + applied);
        warnings.add("onlined through the guest");
      };
      OpContext ctx = new OpContext(web, null, Verification.guest(probe), List.of(online));
      VcpuPlanner.Plan plan = VcpuPlanner.plan("web", 4, Scope.LIVE, true, true,
          Inspection.forScope(web, Scope.LIVE, false).liveVcpu(), java.util.Optional.empty());
      VcpuResult r = web.locked(() -> VcpuOperation.execute(ctx, plan, System.nanoTime()));
      assertThat(order).containsExactly(
          "guest action: host shows 4 after [setVcpusFlags (--live): vCPUs 2 -> 4 (hot-plug)]", "guest probe");
      assertThat(r.warnings()).containsExactly("onlined through the guest");
    }
  }
}
