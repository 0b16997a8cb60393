package dev.vmhotplug.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * One {@link HotplugClient} per libvirt URI, opened lazily, for services that talk to many hosts.
 * All clients share the process's one libvirt event loop thread and the SDK's delivery and
 * scheduler threads; a client adds no thread of its own (only a short-lived one while it connects).
 * Each client reconnects on its own after a lost connection, so a sick host never affects another.
 *
 * <pre>{@code
 * try (ClientRegistry hosts = ClientRegistry.create(uri -> HotplugClient.builder()
 *     .credentials(Credentials.password("svc", vault.password(uri))))) {
 *   hosts.client("qemu+tls://host-17/system").domain("web-1").vcpuCount();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Two threads asking for the same URI share one connect; different URIs connect in
 * parallel. Do not close clients obtained here; use {@link #close(String)} (a client closed
 * anyway is replaced by a new one on the next {@link #client(String)}). {@link #close()} closes
 * them all.
 */
public final class ClientRegistry implements AutoCloseable {
  private final Function<String, HotplugClient.Builder> configure;
  private final ConcurrentHashMap<String, CompletableFuture<HotplugClient>> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private ClientRegistry(Function<String, HotplugClient.Builder> configure) {
    this.configure = configure;
  }

  /**
   * A registry whose clients use default settings.
   *
   * @return the registry
   */
  public static ClientRegistry create() {
    return new ClientRegistry(uri -> HotplugClient.builder());
  }

  /**
   * A registry that configures each client per URI (credentials, pkipath, keepalive, timeouts…).
   *
   * @param configure returns a fresh builder for a URI; called once per connect, never concurrently
   *     for the same URI
   * @return the registry
   */
  public static ClientRegistry create(Function<String, HotplugClient.Builder> configure) {
    return new ClientRegistry(Objects.requireNonNull(configure, "configure"));
  }

  /**
   * The client of a URI, connecting it on first use.
   *
   * @param uri the libvirt URI (compared as given)
   * @return the shared client
   * @throws ConnectionException if the first connect fails (nothing is kept: the next call tries again)
   * @throws HotplugException if the registry is closed
   */
  public HotplugClient client(String uri) {
    Objects.requireNonNull(uri, "uri");
    for (;;) {
      checkOpen();
      CompletableFuture<HotplugClient> mine = new CompletableFuture<>();
      CompletableFuture<HotplugClient> f = clients.putIfAbsent(uri, mine);
      if (f == null) {
        f = mine;
        try {
          HotplugClient c = configure.apply(uri).connect(uri);
          mine.complete(c);
        } catch (RuntimeException e) {
          clients.remove(uri, mine);
          mine.completeExceptionally(e);
          throw e;
        }
        if (closed) { // closed while connecting
          clients.remove(uri, mine);
          f.join().close();
          checkOpen();
        }
      }
      HotplugClient c;
      try {
        c = f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HotplugException("interrupted while waiting for the connection to " + uri, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ConnectionException) {
          ConnectionException ce = (ConnectionException) cause;
          throw new ConnectionException(ce.uri(), ce.getMessage(), ce);
        }
        throw new HotplugException("connecting to " + uri + " failed: " + cause, cause);
      }
      if (!c.isClosed()) {
        return c;
      }
      clients.remove(uri, f); // closed by somebody: replace it
    }
  }

  /**
   * The client of a URI if one is open, without connecting.
   *
   * @param uri the libvirt URI
   * @return the client, or empty
   */
  public Optional<HotplugClient> peek(String uri) {
    CompletableFuture<HotplugClient> f = clients.get(uri);
    if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
      return Optional.empty();
    }
    HotplugClient c = f.join();
    return c.isClosed() ? Optional.empty() : Optional.of(c);
  }

  /** {@return the URIs with an open client, sorted} */
  public Set<String> uris() {
    Set<String> out = new TreeSet<>();
    for (String u : clients.keySet()) {
      if (peek(u).isPresent()) {
        out.add(u);
      }
    }
    return out;
  }

  /** {@return the health of every open client, by URI, sorted (no round trip)} */
  public Map<String, ConnectionHealth> health() {
    Map<String, ConnectionHealth> out = new LinkedHashMap<>();
    for (String u : uris()) {
      peek(u).ifPresent(c -> out.put(u, c.health()));
    }
    return out;
  }

  /**
   * Closes and forgets the client of one URI.
   *
   * @param uri the libvirt URI
   * @return true when there was one
   */
  public boolean close(String uri) {
    CompletableFuture<HotplugClient> f = clients.remove(uri);
    if (f == null) {
      return false;
    }
    f.thenAccept(HotplugClient::close);
    return true;
  }

  /** Closes every client; later {@link #client(String)} calls fail. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (String u : Set.copyOf(clients.keySet())) {
      close(u);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new HotplugException("the ClientRegistry is closed: create a new one");
    }
  }

  @Override
  public String toString() {
    return "ClientRegistry[" + uris().size() + " clients" + (closed ? ", closed" : "") + "]";
  }
}
