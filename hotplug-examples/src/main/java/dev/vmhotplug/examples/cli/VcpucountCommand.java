package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.VcpuCount;
import java.io.PrintWriter;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] vcpucount DOMAIN [--json]}: the guide's {@code virsh vcpucount}, read from
 * the live and the inactive domain XML, in virsh's layout (rows absent where that side does not
 * exist: no config rows for a transient domain, no live rows for a shut-off one).
 */
@Command(name = "vcpucount", header = "Show maximum and current vCPUs, config and live (virsh vcpucount).", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Show maximum and current vCPUs, config and live (virsh vcpucount).")
final class VcpucountCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Option(names = "--json", description = "print one JSON object instead of the table")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    return connection.run(spec.commandLine().getErr(), client -> {
      VcpuCount c = client.domain(domain).vcpuCount();
      out.println(json ? json(domain, c) : c.toString());
      return HotplugCli.OK;
    });
  }

  /** {@code {"domain":"web","maximumConfig":8,"maximumLive":8,"currentConfig":2,"currentLive":2}}; absent = null. */
  static String json(String domain, VcpuCount c) {
    return "{\"domain\":" + quote(domain) + ",\"maximumConfig\":" + num(c.maximumConfig())
        + ",\"maximumLive\":" + num(c.maximumLive()) + ",\"currentConfig\":" + num(c.currentConfig())
        + ",\"currentLive\":" + num(c.currentLive()) + "}";
  }

  private static String num(OptionalInt v) {
    return v.isPresent() ? Integer.toString(v.getAsInt()) : "null";
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        default:
          if (ch < 0x20) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
      }
    }
    return sb.append('"').toString();
  }
}
