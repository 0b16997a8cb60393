/*
 * Recipe: one HotplugClient shared by a thread pool, changing the vCPUs of several domains in parallel.
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.ManyThreads [URI] [VCPUS] [DOMAIN...]
 * The client is thread-safe: changes to different domains run in parallel, to the same domain one by one.
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.HotplugClient;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Sets the vCPU count of many domains from a thread pool; one domain's failure does not stop the others. */
public final class ManyThreads {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    int vcpus = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    List<String> domains = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of("web-1", "web-2");
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domains, vcpus, System.out);
    }
  }

  /** Returns one line per domain, in the order given: its result summary or why it failed. */
  public static Map<String, String> run(HotplugClient client, List<String> domains, int vcpus, PrintStream out) {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Map<String, CompletableFuture<String>> running = new LinkedHashMap<>();
    for (String name : domains) {
      running.put(name, CompletableFuture
          .supplyAsync(() -> client.domain(name).vcpus().set(vcpus).live().config().apply().summary(), pool)
          .exceptionally(failed -> "FAILED: " + failed.getCause().getMessage())); // e.g. not running, above maximum
    }
    Map<String, String> results = new LinkedHashMap<>();
    running.forEach((name, result) -> results.put(name, result.join()));
    results.forEach((name, result) -> out.println(name + ": " + result));
    pool.shutdown();
    return results;
  }
}
