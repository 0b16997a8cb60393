package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener SPI on libvirt's test driver: every operation kind emits started / finished with the
 * right outcome, the libvirt calls and applied steps in between, verified / refused / failed; a
 * listener that throws changes nothing; callbacks run on the caller's thread. Memory changes the test
 * driver cannot make are made by an interceptor standing in for the hypervisor (as in
 * {@link MemoryApplyTest}); the real memory operations are seen by the lab's {@code EventVerificationIT}.
 */
class HotplugListenerTest {
  @TempDir Path dir;

  /** Records every callback as one line, and the thread it ran on. */
  static class Recording extends HotplugListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final List<OperationInfo> ops = new CopyOnWriteArrayList<>();

    private void add(String line) {
      lines.add(line);
      threads.add(Thread.currentThread().getName());
    }

    @Override
    public void operationStarted(OperationInfo op) {
      ops.add(op);
      add("started " + op.name());
    }

    @Override
    public void callStarted(OperationInfo op, String call) {
      add("call " + call);
    }

    @Override
    public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
      add("done " + call + error.map(e -> " " + e.getClass().getSimpleName()).orElse(""));
    }

    @Override
    public void stepApplied(OperationInfo op, OperationStep step) {
      add("step " + step.action() + " " + step.scope());
    }

    @Override
    public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
      add("verified attempts=" + attempts + " byEvent=" + byEvent);
    }

    @Override
    public void refused(OperationInfo op, PreconditionException refusal) {
      add("refused " + refusal.refusal());
    }

    @Override
    public void failed(OperationInfo op, HotplugException error) {
      add("failed " + error.getClass().getSimpleName());
    }

    @Override
    public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
      add("finished " + outcome);
    }

    /** Only the started / refused / failed / verified / finished lines. */
    List<String> frame() {
      List<String> out = new ArrayList<>();
      for (String l : lines) {
        if (!l.startsWith("call ") && !l.startsWith("done ") && !l.startsWith("step ")) {
          out.add(l);
        }
      }
      return out;
    }
  }

  /** Throws from every callback. */
  static final class Throwing extends HotplugListener {
    int calls;

    private void boom() {
      calls++;
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void operationStarted(OperationInfo op) {
      boom();
    }

    @Override
    public void callStarted(OperationInfo op, String call) {
      boom();
    }

    @Override
    public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
      boom();
    }

    @Override
    public void stepApplied(OperationInfo op, OperationStep step) {
      boom();
    }

    @Override
    public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
      boom();
    }

    @Override
    public void refused(OperationInfo op, PreconditionException refusal) {
      boom();
    }

    @Override
    public void failed(OperationInfo op, HotplugException error) {
      boom();
    }

    @Override
    public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
      boom();
    }
  }

  private HotplugClient client(HotplugListener l, String uri) {
    return client(l, uri, null);
  }

  private HotplugClient client(HotplugListener l, String uri, CallInterceptor i) {
    HotplugClient.Builder b = HotplugClient.builder().pollInterval(Duration.ofMillis(5))
        .defaultTimeout(Duration.ofMillis(300)).listener(l);
    if (i != null) {
      b.interceptor(i);
    }
    return b.connect(uri);
  }

  // ---------------------------------------------------------------- vCPUs

  @Test
  void vcpusSet_applied_emitsStartCallsStepVerifiedFinished_inOrder_onTheCallersThread() {
    Recording rec = new Recording();
    String uri = TestNode.write(dir);
    try (HotplugClient c = client(rec, uri)) {
      DomainHandle web = c.domain("web");
      VcpuResult r = web.vcpus().set(4).live().apply();
      assertThat(rec.lines).containsExactly("started vcpus.set", "call xml(live)", "done xml(live)",
          "call setVcpus(LIVE)", "done setVcpus(LIVE)", "step setVcpusFlags LIVE", "call xml(live)", "done xml(live)",
          "verified attempts=" + r.attempts() + " byEvent=false", "finished APPLIED");
      assertThat(rec.threads).containsOnly(Thread.currentThread().getName());
      OperationInfo op = rec.ops.get(0);
      assertThat(op.name()).isEqualTo(OperationInfo.VCPUS_SET);
      assertThat(op.domain()).isEqualTo("web");
      assertThat(op.uri()).isEqualTo(uri);
      assertThat(op.scope()).contains(Scope.LIVE);
      assertThat(r.attempts()).isEqualTo(1);
    }
  }

  @Test
  void vcpusSet_noChange_emitsNoCallOfAChangeAndNoVerified() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      c.domain("web").vcpus().set(2).live().config().apply();
      assertThat(rec.frame()).containsExactly("started vcpus.set", "finished NO_CHANGE");
      assertThat(rec.lines).noneMatch(l -> l.startsWith("call setVcpus") || l.startsWith("step "));
      assertThat(rec.ops.get(0).scope()).contains(Scope.LIVE_AND_CONFIG);
    }
  }

  @Test
  void vcpusSet_aboveTheMaximum_refused() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      String live = web.xml(false);
      assertThatThrownBy(() -> web.vcpus().set(9).live().apply()).isInstanceOf(PreconditionException.class);
      assertThat(rec.frame()).containsExactly("started vcpus.set", "refused ABOVE_MAXIMUM", "finished REFUSED");
      assertThat(web.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void readOnlyClient_refusedBeforeAnyCall() {
    Recording rec = new Recording();
    try (HotplugClient c = HotplugClient.builder().readOnly(true).listener(rec).connect(TestNode.write(dir))) {
      catchThrowable(() -> c.domain("web").vcpus().set(3).apply());
      assertThat(rec.lines).containsExactly("started vcpus.set", "refused READ_ONLY", "finished REFUSED");
    }
  }

  @Test
  void verificationTimeout_failed() {
    Recording rec = new Recording();
    CallInterceptor swallow = swallowing("setVcpus");
    try (HotplugClient c = client(rec, TestNode.write(dir), swallow)) {
      assertThatThrownBy(() -> c.domain("web").vcpus().set(4).live().apply())
          .isInstanceOf(VerificationTimeoutException.class);
      assertThat(rec.frame()).containsExactly("started vcpus.set", "failed VerificationTimeoutException",
          "finished FAILED");
      assertThat(rec.lines).contains("step setVcpusFlags LIVE"); // libvirt accepted the call
    }
  }

  @Test
  void connectionLostAndUnreadable_unknown() {
    Recording rec = new Recording();
    CallInterceptor down = new CallInterceptor() {
      boolean lost;

      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        lost |= op.equals("setVcpus(LIVE)");
        if (lost) {
          throw new ConnectionLostException("test:///node", "injected loss", null);
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(rec, TestNode.write(dir), down)) {
      assertThatThrownBy(() -> c.domain("web").vcpus().set(4).apply()).isInstanceOf(OutcomeUnknownException.class);
      assertThat(rec.frame()).containsExactly("started vcpus.set", "failed OutcomeUnknownException",
          "finished UNKNOWN");
      assertThat(rec.lines).contains("done setVcpus(LIVE) ConnectionLostException").doesNotContain("step setVcpusFlags LIVE");
    }
  }

  // ---------------------------------------------------------------- memory

  @Test
  void memoryAdd_configOfAShutOffDomain_applied_withTheStep() {
    Recording rec = new Recording();
    HotplugClient[] self = new HotplugClient[1];
    CallInterceptor hypervisor = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("attachDevice(CONFIG)")) {
          MemoryApplyTest.attachToDefinition(self[0], domain, MemorySize.ofMiB(256));
          return null;
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(rec, MemoryTestNode.write(dir), hypervisor)) {
      self[0] = c;
      c.domain("memoff").memory().add(MemorySize.ofMiB(256)).config().apply();
      assertThat(rec.frame()).first().isEqualTo("started memory.add");
      assertThat(rec.frame()).last().isEqualTo("finished APPLIED");
      assertThat(rec.lines).containsSubsequence("started memory.add", "call attachDevice(CONFIG)",
          "done attachDevice(CONFIG)", "step attachDeviceFlags CONFIG", "finished APPLIED");
      assertThat(rec.ops).singleElement().satisfies(op -> {
        assertThat(op.name()).isEqualTo(OperationInfo.MEMORY_ADD);
        assertThat(op.scope()).contains(Scope.CONFIG);
      });
    }
  }

  @Test
  void memoryAdd_secondDimmFails_partial() {
    Recording rec = new Recording();
    int[] attaches = {0};
    CallInterceptor firstOk = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.startsWith("attachDevice")) {
          if (attaches[0]++ == 0) {
            return null;
          }
          throw new LibvirtException("libvirt " + op + " failed: no free slot", 1, "VIR_ERR_INTERNAL_ERROR",
              "internal error: no free memory device slot available", null);
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(rec, MemoryTestNode.write(dir), firstOk)) {
      assertThatThrownBy(() -> c.domain("mem").memory().add(MemorySize.ofMiB(512)).split(MemorySize.ofMiB(256))
          .live().apply()).isInstanceOf(PartialApplyException.class);
      assertThat(rec.frame()).containsExactly("started memory.add", "failed PartialApplyException", "finished PARTIAL");
      assertThat(rec.lines.stream().filter(l -> l.startsWith("step "))).containsExactly("step attachDeviceFlags LIVE");
      assertThat(rec.lines).contains("done attachDevice(LIVE) LibvirtException");
    }
  }

  @Test
  void memoryRemove_guestNeverReleases_failedWithGuestRefused() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, MemoryTestNode.write(dir), swallowing("detachDevice"))) {
      assertThatThrownBy(() -> c.domain("mem").memory().remove(MemorySize.ofMiB(256)).live().apply())
          .isInstanceOf(GuestRefusedException.class);
      assertThat(rec.frame()).containsExactly("started memory.remove", "failed GuestRefusedException",
          "finished FAILED");
      assertThat(rec.ops.get(0).name()).isEqualTo(OperationInfo.MEMORY_REMOVE);
    }
  }

  @Test
  void memoryRemove_nothingToRemove_refused() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, MemoryTestNode.write(dir))) {
      catchThrowable(() -> c.domain("mem").memory().remove(MemorySize.ofGiB(4)).live().apply());
      assertThat(rec.frame()).containsExactly("started memory.remove", "refused NOTHING_TO_REMOVE", "finished REFUSED");
    }
  }

  // ---------------------------------------------------------------- ensure, prepare, cold boot, agent

  @Test
  void ensure_isOneOperation_itsVcpuStepIsPartOfIt_thenNoChange() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      web.ensure().vcpus(5).live().config().apply();
      assertThat(rec.frame()).containsExactly("started ensure", "verified attempts=2 byEvent=false",
          "finished APPLIED");
      assertThat(rec.lines).contains("step setVcpusFlags LIVE_AND_CONFIG");
      rec.lines.clear();
      web.ensure().vcpus(5).live().config().apply();
      assertThat(rec.frame()).containsExactly("started ensure", "finished NO_CHANGE");
      EnsurePlan plan = web.ensure().vcpus(6).live().plan();
      assertThat(rec.frame()).as("a dry run is not an operation").containsExactly("started ensure",
          "finished NO_CHANGE");
      web.ensure().apply(plan);
      assertThat(rec.frame()).endsWith("started ensure", "verified attempts=1 byEvent=false", "finished APPLIED");
    }
  }

  @Test
  void prepare_definesOnce_thenNoChange() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      DomainHandle k1 = c.domain("k1");
      k1.prepare(8, MemorySize.ofGiB(16), 16);
      assertThat(rec.frame()).containsExactly("started prepare", "finished APPLIED");
      assertThat(rec.lines).contains("call defineXML", "step defineXML CONFIG");
      rec.lines.clear();
      k1.prepare(HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build());
      assertThat(rec.frame()).containsExactly("started prepare", "finished NO_CHANGE");
      rec.lines.clear();
      catchThrowable(() -> k1.prepare(0, MemorySize.ofGiB(16), 16));
      assertThat(rec.frame()).containsExactly("started prepare", "refused INVALID_REQUEST", "finished REFUSED");
      assertThat(rec.ops).extracting(OperationInfo::name).containsOnly(OperationInfo.PREPARE);
      assertThat(rec.ops).allSatisfy(op -> assertThat(op.scope()).isEmpty());
    }
  }

  @Test
  void coldBoot_applied_andRefusedForAShutOffDomain() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      c.domain("web").coldBoot().apply();
      assertThat(rec.frame()).containsExactly("started coldBoot", "finished APPLIED");
      assertThat(rec.lines).contains("call shutdown", "call create");
      rec.lines.clear();
      catchThrowable(() -> c.domain("off").coldBoot().apply());
      assertThat(rec.frame()).containsExactly("started coldBoot", "refused NOT_RUNNING", "finished REFUSED");
    }
  }

  @Test
  void guestAgentOnline_withoutTheChannel_refused() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      catchThrowable(() -> c.domain("web").guestAgent().online());
      assertThat(rec.frame()).containsExactly("started guestAgent.online", "refused NO_GUEST_AGENT",
          "finished REFUSED");
    }
  }

  // ---------------------------------------------------------------- robustness

  @Test
  void throwingListener_changesNothing_resultAndDomainAsWithoutListener() throws IOException {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Throwing boom = new Throwing();
    VcpuResult with;
    VcpuResult without;
    String xmlWith;
    String xmlWithout;
    try (HotplugClient c = client(boom, TestNode.write(a))) {
      DomainHandle web = c.domain("web");
      with = web.vcpus().set(5).live().config().apply();
      xmlWith = web.xml(false) + web.xml(true);
      Throwable refused = catchThrowable(() -> web.vcpus().set(9).live().apply());
      assertThat(refused).isInstanceOf(PreconditionException.class).hasMessageContaining("maximum");
    }
    try (HotplugClient c = client(HotplugListener.NONE, TestNode.write(b))) {
      DomainHandle web = c.domain("web");
      without = web.vcpus().set(5).live().config().apply();
      xmlWithout = web.xml(false) + web.xml(true);
    }
    assertThat(boom.calls).as("every callback was made and threw").isGreaterThan(10);
    assertThat(with.after()).isEqualTo(without.after());
    assertThat(with.steps()).isEqualTo(without.steps());
    assertThat(with.warnings()).isEqualTo(without.warnings());
    assertThat(xmlWith).isEqualTo(xmlWithout);
  }

  @Test
  void composite_callsEachInOrder_aThrowingOneDoesNotStopTheOthers() {
    Recording first = new Recording();
    Recording second = new Recording();
    HotplugListener all = HotplugListener.composite(first, new Throwing(), HotplugListener.NONE, second);
    try (HotplugClient c = client(all, TestNode.write(dir))) {
      c.domain("web").vcpus().set(3).apply();
    }
    assertThat(first.lines).isNotEmpty().isEqualTo(second.lines);
    assertThat(HotplugListener.composite()).isSameAs(HotplugListener.NONE);
    assertThat(HotplugListener.composite(HotplugListener.NONE, first)).isSameAs(first);
  }

  @Test
  void noListener_isNone_andReadsEmitNothing() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      web.vcpuCount();
      web.memoryView();
      web.drift();
      assertThat(rec.lines).isEmpty();
    }
    try (HotplugClient c = HotplugClient.connect(TestNode.write(dir))) {
      assertThat(c.listener()).isSameAs(HotplugListener.NONE);
      assertThat(c.usesDeviceEvents()).isTrue();
    }
    assertThatThrownBy(() -> HotplugClient.builder().listener(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void operationIds_increase_andInfosAreDistinct() {
    Recording rec = new Recording();
    try (HotplugClient c = client(rec, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      web.vcpus().set(3).apply();
      web.vcpus().set(4).apply();
    }
    assertThat(rec.ops).hasSize(2);
    assertThat(rec.ops.get(1).id()).isGreaterThan(rec.ops.get(0).id());
    assertThat(rec.ops.get(0)).isNotEqualTo(rec.ops.get(1));
    assertThat(rec.ops.get(0).toString()).contains("vcpus.set", "'web'");
  }

  // ---------------------------------------------------------------- helpers

  private static CallInterceptor swallowing(String prefix) {
    return new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        return op.startsWith(prefix) ? null : call.get();
      }
    };
  }
}
