package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.MemoryChange;
import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.MemoryView;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] update-memory-device DOMAIN --requested-size SIZE [--node N | --alias A]
 * [--live] [--config] [--dry-run] [--json]}: virsh's {@code update-memory-device}: sets a virtio-mem
 * device's requested size, checked first (block multiple, at most the device size, the node's device),
 * one libvirt call per scope, then waits until the guest has plugged (or unplugged) it, and says why
 * when it stops short.
 */
@Command(name = "update-memory-device", header = "Resize a virtio-mem device (virsh update-memory-device).",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Set the requested size of a virtio-mem device (virsh update-memory-device --requested-size).",
      "Checks first: the domain has a virtio-mem device (on --node / with --alias when it has several),",
      "SIZE is a multiple of its block (2 MiB) and at most its size. One call per scope (live first);",
      "then waits until the guest's plugged size (<current>) reaches SIZE, or says why it stopped.",
      "Without --live/--config: the domain's current state (live when running, else config), as virsh."
    })
final class UpdateMemoryDeviceCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Option(names = "--requested-size", required = true, paramLabel = "SIZE",
      description = "the requested size, with a unit: 512MiB, 1GiB, 0MiB")
  String requestedSize;

  @CommandLine.ArgGroup(exclusive = true)
  Which which;

  static final class Which {
    @Option(names = "--node", required = true, paramLabel = "N", description = "the device on this NUMA node")
    Integer node;

    @Option(names = "--alias", required = true, paramLabel = "A", description = "the device with this alias")
    String alias;
  }

  @Option(names = "--live", description = "change the running domain")
  boolean live;

  @Option(names = "--config", description = "change the persistent definition (next boot)")
  boolean config;

  @Option(names = "--dry-run", description = "print the plan (the device XML of each call) and change nothing")
  boolean dryRun;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = ColdBootCommand.DurationConverter.class,
      description = "how long to wait for the guest to reach the size (default 60s)")
  Duration timeout = Duration.ofSeconds(60);

  @Option(names = "--json", description = "print one JSON object on stdout")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      DomainHandle d = client.domain(domain);
      MemoryChange c = d.memory().requested(AttachMemoryCommand.Support.size(requestedSize)).timeout(timeout);
      if (which != null && which.node != null) {
        c = c.node(which.node);
      }
      if (which != null && which.alias != null) {
        c = c.alias(which.alias);
      }
      if (live || config) {
        c = AttachMemoryCommand.Support.scoped(c, live, config);
      } else {
        c = d.isRunning() ? c.live() : c.config(); // virsh's --current
      }
      if (dryRun) {
        MemoryPlan p = c.plan();
        if (json) {
          out.println(toJson(p, null));
        } else {
          out.print("dry run, nothing changed: ");
          out.print(p);
        }
        return HotplugCli.OK;
      }
      MemoryResult r = c.apply();
      if (json) {
        out.println(toJson(r.plan(), r));
      } else {
        out.print(r);
        out.print(d.memoryView());
      }
      for (String w : r.warnings()) {
        err.println("warning: " + w);
      }
      return HotplugCli.OK;
    });
  }

  /** The plan (and, after an apply, what was done and seen) as one JSON object. */
  static String toJson(MemoryPlan p, MemoryResult r) {
    StringBuilder b = new StringBuilder("{\"domain\":").append(Json.string(p.domain()))
        .append(",\"dry_run\":").append(r == null)
        .append(",\"model\":").append(Json.string(p.model().xmlModel()))
        .append(",\"scope\":").append(Json.string(p.scope().virshFlags()))
        .append(",\"requested_kib\":").append(p.requested().toKiB());
    kib(b, "live_memory_before_kib", p.liveMemoryBefore());
    kib(b, "live_memory_after_kib", p.liveMemoryAfter());
    kib(b, "config_memory_before_kib", p.configMemoryBefore());
    kib(b, "config_memory_after_kib", p.configMemoryAfter());
    b.append(",\"calls\":[");
    List<MemoryPlan.Step> steps = p.steps();
    for (int i = 0; i < steps.size(); i++) {
      MemoryPlan.Step s = steps.get(i);
      b.append(i == 0 ? "" : ",").append("{\"call\":").append(Json.string(s.action().libvirtCall()))
          .append(",\"scope\":").append(Json.string(s.scopeIn(p.scope()).virshFlags()))
          .append(",\"node\":").append(s.node())
          .append(",\"requested_before_kib\":").append(s.from().map(MemorySize::toKiB).orElse(0L))
          .append(",\"requested_after_kib\":").append(s.requestedAfter().map(MemorySize::toKiB).orElse(0L))
          .append(",\"xml\":").append(Json.string(s.xml())).append('}');
    }
    b.append("],\"notes\":").append(Json.strings(p.notes()));
    if (r != null) {
      b.append(",\"done\":[");
      for (int i = 0; i < r.steps().size(); i++) {
        OperationStep s = r.steps().get(i);
        b.append(i == 0 ? "" : ",").append("{\"call\":").append(Json.string(s.action())).append(",\"scope\":")
            .append(Json.string(s.scope().virshFlags())).append(",\"detail\":").append(Json.string(s.detail()))
            .append('}');
      }
      b.append("],\"devices\":[");
      boolean first = true;
      for (String side : List.of("config", "live")) {
        Optional<MemoryView.Definition> def = side.equals("live") ? r.after().live() : r.after().config();
        if (def.isEmpty()) {
          continue;
        }
        for (MemoryDevice dev : def.get().virtioMem()) {
          b.append(first ? "" : ",").append("{\"side\":").append(Json.string(side)).append(",\"node\":")
              .append(dev.targetNode().orElse(0));
          dev.alias().ifPresent(a -> b.append(",\"alias\":").append(Json.string(a)));
          b.append(",\"size_kib\":").append(dev.targetSize().map(MemorySize::toKiB).orElse(0L))
              .append(",\"requested_kib\":").append(dev.requestedSize().map(MemorySize::toKiB).orElse(0L));
          dev.currentSize().ifPresent(cur -> b.append(",\"current_kib\":").append(cur.toKiB()));
          b.append('}');
          first = false;
        }
      }
      b.append("],\"verify_reads\":").append(r.attempts()).append(",\"elapsed_ms\":").append(r.elapsed().toMillis())
          .append(",\"warnings\":").append(Json.strings(r.warnings()));
      r.guest().ifPresent(g -> b.append(",\"guest\":").append(Json.string(g.status().name())));
    }
    return b.append('}').toString();
  }

  private static void kib(StringBuilder b, String name, Optional<MemorySize> v) {
    v.ifPresent(x -> b.append(",\"").append(name).append("\":").append(x.toKiB()));
  }
}
