package dev.vmhotplug.micrometer;

import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.HotplugListener;
import dev.vmhotplug.core.InvalidArgumentException;
import dev.vmhotplug.core.OperationInfo;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * A {@link HotplugListener} that records what the SDK does as Micrometer meters: a timer per
 * operation and outcome, a timer per libvirt call, and counters for refusals, applied steps and
 * verification reads. Give it to {@link dev.vmhotplug.core.HotplugClient.Builder#listener(HotplugListener)}:
 *
 * <pre>{@code
 * HotplugClient client = HotplugClient.builder()
 *     .listener(MicrometerHotplugListener.create(meterRegistry))
 *     .connect("qemu+tls://host-17.example/system");
 * }</pre>
 *
 * <p>The meters, with the default prefix {@value #DEFAULT_PREFIX} (timers in seconds, as Micrometer
 * records every timer; Prometheus shows {@code vmhotplug_operation_seconds_count} and so on):
 *
 * <table>
 *   <caption>Meters and their tags</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>recorded</th></tr>
 *   <tr><td>{@code vmhotplug.operation}</td><td>timer</td>
 *       <td>{@code op}, {@code outcome}, {@code exception}</td>
 *       <td>once per operation, with its whole duration, when it finishes</td></tr>
 *   <tr><td>{@code vmhotplug.libvirt.call}</td><td>timer</td>
 *       <td>{@code op}, {@code call}, {@code outcome}, {@code exception}</td>
 *       <td>once per libvirt call an operation made (a read retried after a lost connection is two)</td></tr>
 *   <tr><td>{@code vmhotplug.refusals}</td><td>counter</td><td>{@code op}, {@code refusal}</td>
 *       <td>once per refused operation (nothing was changed)</td></tr>
 *   <tr><td>{@code vmhotplug.steps}</td><td>counter</td><td>{@code op}, {@code action}, {@code scope}</td>
 *       <td>once per change that took effect</td></tr>
 *   <tr><td>{@code vmhotplug.verification}</td><td>timer</td><td>{@code op}, {@code by}</td>
 *       <td>once per verified operation, with the time spent waiting for the change to show</td></tr>
 *   <tr><td>{@code vmhotplug.verification.reads}</td><td>counter</td><td>{@code op}, {@code by}</td>
 *       <td>the reads made while waiting (incremented by each verification's attempts)</td></tr>
 * </table>
 *
 * <p>Tag values: {@code op} is {@link OperationInfo#name()} ({@code vcpus.set}, {@code memory.add},
 * …); {@code outcome} of an operation is a {@link HotplugListener.Outcome} name ({@code APPLIED},
 * {@code NO_CHANGE}, {@code REFUSED}, {@code FAILED}, {@code PARTIAL}, {@code UNKNOWN}), of a call
 * {@code success} or {@code error}; {@code exception} is the simple class name of the SDK exception
 * ({@code VerificationTimeoutException}, {@code LibvirtException}, …) or {@code none};
 * {@code refusal} is a {@link Refusal} name; {@code call} the gateway's call name
 * ({@code xml(live)}, {@code setVcpus(LIVE)}, {@code attachDevice(LIVE_AND_CONFIG)}, …);
 * {@code action} and {@code scope} those of the {@link OperationStep}; {@code by} is {@code event}
 * when a libvirt device event led to the read that showed the change, else {@code poll}.
 *
 * <p><b>Cardinality.</b> By default every tag takes a bounded set of values (a few dozen series in
 * all). Two tags are opt-in because they grow with your fleet: {@link Builder#hostTag(boolean)}
 * adds {@code host} (the host of the connection URI, {@code local} for URIs without one, such as
 * {@code qemu:///system}) and {@link Builder#domainTag(boolean)} adds {@code domain} (the domain's
 * name) to every meter. Add your own constant tags with {@link Builder#tags(String...)}.
 *
 * <p>Thread-safe: share one instance among clients. Callbacks run on the operation's thread and cost
 * a meter lookup each (Micrometer caches meters by name and tags).
 */
public final class MicrometerHotplugListener extends HotplugListener {
  /** The default prefix of every meter name. */
  public static final String DEFAULT_PREFIX = "vmhotplug";

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*");
  private static final String NONE = "none";
  private static final List<String> OWN_TAGS = List.of("op", "outcome", "exception", "call", "refusal", "action",
      "scope", "by", "host", "domain");

  private final MeterRegistry registry;
  private final Tags tags;
  private final boolean hostTag;
  private final boolean domainTag;
  private final String operationName;
  private final String callName;
  private final String refusalsName;
  private final String stepsName;
  private final String verificationName;
  private final String verificationReadsName;
  /** The exception of an operation that failed or was refused, by operation id, until it finishes. */
  private final ConcurrentMap<Long, String> exceptions = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> hosts = new ConcurrentHashMap<>();

  private MicrometerHotplugListener(Builder b) {
    this.registry = b.registry;
    this.tags = b.tags;
    this.hostTag = b.hostTag;
    this.domainTag = b.domainTag;
    this.operationName = b.prefix + ".operation";
    this.callName = b.prefix + ".libvirt.call";
    this.refusalsName = b.prefix + ".refusals";
    this.stepsName = b.prefix + ".steps";
    this.verificationName = b.prefix + ".verification";
    this.verificationReadsName = b.prefix + ".verification.reads";
  }

  /**
   * A listener with the defaults: prefix {@value #DEFAULT_PREFIX}, no extra tags, no {@code host}
   * and no {@code domain} tag.
   *
   * @param registry where the meters are registered
   * @return the listener
   * @throws NullPointerException if registry is null
   */
  public static MicrometerHotplugListener create(MeterRegistry registry) {
    return builder(registry).build();
  }

  /**
   * A builder for a listener with a prefix, extra tags, or the {@code host} / {@code domain} tags.
   *
   * @param registry where the meters are registered
   * @return the builder
   * @throws NullPointerException if registry is null
   */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
    Timer.builder(callName)
        .description("libvirt calls made by vmhotplug operations")
        .tags(base(op))
        .tag("call", call)
        .tag("outcome", error.isPresent() ? "error" : "success")
        .tag("exception", error.map(e -> e.getClass().getSimpleName()).orElse(NONE))
        .register(registry)
        .record(took);
  }

  @Override
  public void stepApplied(OperationInfo op, OperationStep step) {
    Counter.builder(stepsName)
        .description("changes vmhotplug operations made that took effect")
        .tags(base(op))
        .tag("action", step.action())
        .tag("scope", step.scope().name())
        .register(registry)
        .increment();
  }

  @Override
  public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
    String by = byEvent ? "event" : "poll";
    Timer.builder(verificationName)
        .description("time vmhotplug operations waited for their change to show")
        .tags(base(op))
        .tag("by", by)
        .register(registry)
        .record(took);
    Counter.builder(verificationReadsName)
        .description("reads vmhotplug made while waiting for a change to show")
        .tags(base(op))
        .tag("by", by)
        .register(registry)
        .increment(attempts);
  }

  @Override
  public void refused(OperationInfo op, PreconditionException refusal) {
    exceptions.put(op.id(), refusal.getClass().getSimpleName());
    Counter.builder(refusalsName)
        .description("vmhotplug operations refused before any change")
        .tags(base(op))
        .tag("refusal", refusal.refusal().name())
        .register(registry)
        .increment();
  }

  @Override
  public void failed(OperationInfo op, HotplugException error) {
    exceptions.put(op.id(), error.getClass().getSimpleName());
  }

  @Override
  public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
    String exception = exceptions.remove(op.id());
    Timer.builder(operationName)
        .description("vmhotplug operations, by outcome")
        .tags(base(op))
        .tag("outcome", outcome.name())
        .tag("exception", exception == null ? NONE : exception)
        .register(registry)
        .record(took);
  }

  private Tags base(OperationInfo op) {
    Tags t = tags.and("op", op.name());
    if (hostTag) {
      t = t.and("host", hosts.computeIfAbsent(op.uri(), MicrometerHotplugListener::hostOf));
    }
    if (domainTag) {
      t = t.and("domain", op.domain());
    }
    return t;
  }

  /** The host of a libvirt URI, {@code local} when it has none ({@code qemu:///system}, {@code test:///default}). */
  static String hostOf(String uri) {
    try {
      String host = new URI(uri).getHost();
      return host == null || host.isEmpty() ? "local" : host;
    } catch (URISyntaxException e) {
      return "unknown";
    }
  }

  @Override
  public String toString() {
    return "MicrometerHotplugListener[" + operationName.substring(0, operationName.length() - ".operation".length())
        + (hostTag ? " +host" : "") + (domainTag ? " +domain" : "") + " " + tags + "]";
  }

  /** Settings of a {@link MicrometerHotplugListener}; not thread-safe, use from one thread. */
  public static final class Builder {
    private final MeterRegistry registry;
    private String prefix = DEFAULT_PREFIX;
    private Tags tags = Tags.empty();
    private boolean hostTag;
    private boolean domainTag;

    private Builder(MeterRegistry registry) {
      this.registry = registry;
    }

    /**
     * The prefix of every meter name (default {@value #DEFAULT_PREFIX}): with {@code "myapp.hotplug"}
     * the operation timer is {@code myapp.hotplug.operation}.
     *
     * @param prefix dot-separated words of letters, digits and {@code _}, each starting with a letter
     * @return this builder
     * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if the prefix is empty or not
     *     of that form
     * @throws NullPointerException if prefix is null
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!PREFIX.matcher(prefix).matches()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "meter name prefix '" + shorten(prefix)
            + "' is not valid: give dot-separated words of letters, digits and _, each starting with a letter,"
            + " e.g. \"vmhotplug\" or \"myapp.hotplug\"");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Adds constant tags to every meter (e.g. {@code "region", "eu-1"}); they add no cardinality.
     * A later value for the same key replaces the earlier one.
     *
     * @param keyValues keys and values, alternating
     * @return this builder
     * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if the count is odd, or a key
     *     is one of the listener's own tags ({@code op}, {@code outcome}, {@code exception},
     *     {@code call}, {@code refusal}, {@code action}, {@code scope}, {@code by}, {@code host},
     *     {@code domain})
     * @throws NullPointerException if the array or an entry is null
     */
    public Builder tags(String... keyValues) {
      Objects.requireNonNull(keyValues, "keyValues");
      if (keyValues.length % 2 != 0) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "tags need keys and values in pairs, got "
            + keyValues.length + " strings: give e.g. tags(\"region\", \"eu-1\")");
      }
      return tags(Tags.of(keyValues));
    }

    /**
     * Adds constant tags to every meter, see {@link #tags(String...)}.
     *
     * @param tags the tags
     * @return this builder
     * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if a key is one of the
     *     listener's own tags
     * @throws NullPointerException if tags or an entry is null
     */
    public Builder tags(Iterable<Tag> tags) {
      Objects.requireNonNull(tags, "tags");
      for (Tag t : tags) {
        Objects.requireNonNull(t, "tag");
        if (OWN_TAGS.contains(t.getKey())) {
          throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "tag key '" + shorten(t.getKey())
              + "' is one the listener sets itself (" + String.join(", ", OWN_TAGS)
              + "): choose another key, or use hostTag(true) / domainTag(true)");
        }
      }
      this.tags = this.tags.and(tags);
      return this;
    }

    /**
     * Adds a {@code host} tag, the host of the client's connection URI ({@code local} when the URI
     * has none), to every meter. Default false: one series per host multiplies the meters by the
     * size of the fleet.
     *
     * @param on whether to tag
     * @return this builder
     */
    public Builder hostTag(boolean on) {
      this.hostTag = on;
      return this;
    }

    /**
     * Adds a {@code domain} tag, the domain's name, to every meter. Default false: one series per
     * domain is unbounded cardinality for most metric backends; turn it on only for a small, fixed
     * set of domains.
     *
     * @param on whether to tag
     * @return this builder
     */
    public Builder domainTag(boolean on) {
      this.domainTag = on;
      return this;
    }

    /**
     * Builds the listener. Meters are registered when they are first recorded.
     *
     * @return the listener
     */
    public MicrometerHotplugListener build() {
      return new MicrometerHotplugListener(this);
    }

    private static String shorten(String s) {
      String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
      StringBuilder b = new StringBuilder();
      for (char c : t.toCharArray()) {
        b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
      return b.toString();
    }
  }
}
