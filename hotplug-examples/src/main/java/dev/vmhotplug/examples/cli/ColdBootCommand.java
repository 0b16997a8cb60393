package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.ColdBoot;
import dev.vmhotplug.core.ColdBootResult;
import dev.vmhotplug.core.ShutdownTimeoutException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] cold-boot DOMAIN [--timeout 60s] [--force] [--json]}: the cold boot that
 * makes a prepared definition take effect: graceful shutdown, wait until it is off, start, wait
 * until it runs. Without {@code --force} a guest that does not power off in time keeps running and
 * the command fails (exit 1) with the steps taken; with it the domain is forced off (virsh destroy)
 * after the timeout.
 */
@Command(name = "cold-boot", header = "Shut a domain down gracefully and start it again (prepare takes effect).",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Cold boot: shut the running, persistent domain down (ACPI power button, or its guest agent), wait",
      "until it is off, start it, wait until it runs. This is what makes 'prepare-domain' take effect; a",
      "reboot inside the guest does not. Never forces the domain off unless --force is given."
    })
final class ColdBootCommand implements Callable<Integer> {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m|h)");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "how long the guest has to power off, with a unit: 60s, 2m (default 60s)")
  Duration timeout = ColdBoot.DEFAULT_SHUTDOWN_TIMEOUT;

  @Option(names = "--force", description = "force the domain off (virsh destroy) when it has not powered off"
      + " within the timeout, then start it")
  boolean force;

  @Option(names = "--json", description = "print one JSON object on stdout instead of the steps")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      ColdBoot c = client.domain(domain).coldBoot().shutdownTimeout(timeout);
      if (force) {
        c = c.forceOffAfterTimeout();
      }
      try {
        ColdBootResult r = c.apply();
        out.print(json ? toJson(r.domain(), r.outcome().name(), r.elapsed(), r.steps()) + "\n" : r.summary());
        return HotplugCli.OK;
      } catch (ShutdownTimeoutException e) {
        if (json) {
          out.println(toJson(domain, "NOT_SHUT_DOWN", e.elapsed(), e.steps()));
        } else {
          for (ColdBootResult.Step s : e.steps()) {
            err.println(s);
          }
        }
        err.println("failed: " + e.getMessage());
        return HotplugCli.FAILED;
      }
    });
  }

  static String toJson(String domain, String outcome, Duration elapsed, List<ColdBootResult.Step> steps) {
    StringBuilder b = new StringBuilder("{\"domain\":").append(Json.string(domain)).append(",\"outcome\":")
        .append(Json.string(outcome)).append(",\"elapsed_ms\":").append(elapsed.toMillis()).append(",\"steps\":[");
    for (int i = 0; i < steps.size(); i++) {
      ColdBootResult.Step s = steps.get(i);
      b.append(i == 0 ? "" : ",").append("{\"action\":").append(Json.string(s.action())).append(",\"at_ms\":")
          .append(s.at().toMillis()).append(",\"took_ms\":").append(s.took().toMillis()).append(",\"detail\":")
          .append(Json.string(s.detail())).append('}');
    }
    return b.append("]}").toString();
  }

  /** Parses {@code 60s}, {@code 2m}, {@code 500ms}, {@code 1h}; a bare number is refused with the fix. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException("'" + dev.vmhotplug.xml.internal.SafeText.escape(value, 40)
            + "' is not a duration: give a number with a unit, e.g. 60s, 2m, 1h or 500ms");
      }
      long n = Long.parseLong(m.group(1));
      Duration d;
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        default:
          d = Duration.ofHours(n);
      }
      if (d.isZero()) {
        throw new CommandLine.TypeConversionException("a timeout of " + value + " is refused: give a positive duration");
      }
      return d;
    }
  }
}
