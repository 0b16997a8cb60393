package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotplugClientTest {
  @TempDir Path dir;

  @Test
  void connect_testDefault_reportsUriAndFindsTheDefaultDomain() {
    try (HotplugClient client = HotplugClient.connect("test:///default")) {
      assertThat(client.uri()).isEqualTo("test:///default");
      DomainHandle d = client.domain("test");
      assertThat(d.name()).isEqualTo("test");
      assertThat(d.isRunning()).isTrue();
    }
  }

  @Test
  void connect_sameNodeFileTwice_eachConnectionStartsFromTheFile() {
    String uri = TestNode.write(dir);
    try (HotplugClient a = HotplugClient.connect(uri); HotplugClient b = HotplugClient.connect(uri)) {
      a.domain("web").vcpus().set(4).apply();
      assertThat(a.domain("web").vcpuCount().currentLive()).hasValue(4);
      assertThat(b.domain("web").vcpuCount().currentLive()).hasValue(2);
    }
  }

  @Test
  void connect_unreachableUri_throwsConnectionExceptionWithFix() {
    assertThatThrownBy(() -> HotplugClient.connect("qemu+tcp://127.0.0.1:1/system"))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("cannot connect to qemu+tcp://127.0.0.1:1/system")
        .hasMessageContaining("Check that the URI is right")
        .hasCauseInstanceOf(org.libvirt.LibvirtException.class);
  }

  @Test
  void connect_blankUri_throwsConnectionExceptionSuggestingOne() {
    assertThatThrownBy(() -> HotplugClient.connect(" "))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("qemu:///system");
  }

  @Test
  void domain_unknownName_throwsDomainNotFoundNamingTheUri() {
    String uri = TestNode.write(dir);
    try (HotplugClient client = HotplugClient.connect(uri)) {
      assertThatThrownBy(() -> client.domain("nope"))
          .isInstanceOfSatisfying(DomainNotFoundException.class, e -> {
            assertThat(e.uri()).isEqualTo(uri);
            assertThat(e.domain()).isEqualTo("nope");
          })
          .hasMessageContaining("no domain 'nope' on " + uri)
          .hasMessageContaining("virsh -c " + uri + " list --all");
    }
  }

  @Test
  void domain_unknownUuid_throwsDomainNotFound() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      assertThatThrownBy(() -> client.domain("00000000-0000-0000-0000-000000000001"))
          .isInstanceOf(DomainNotFoundException.class)
          .hasMessageContaining("00000000-0000-0000-0000-000000000001");
    }
  }

  @Test
  void domain_byUuidWithAndWithoutDashes_findsTheSameDomain() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      assertThat(client.domain(TestNode.WEB_UUID).name()).isEqualTo("web");
      assertThat(client.domain(TestNode.WEB_UUID.replace("-", "")).name()).isEqualTo("web");
      assertThat(client.domain("web").uuid()).isEqualTo(TestNode.WEB_UUID);
    }
  }

  @Test
  void close_twice_isIdempotentAndLaterCallsSayTheClientIsClosed() {
    HotplugClient client = HotplugClient.connect(TestNode.write(dir));
    DomainHandle web = client.domain("web");
    client.close();
    client.close();
    assertThatThrownBy(web::vcpuCount).isInstanceOf(HotplugException.class)
        .hasMessageContaining("is closed: create a new one");
  }

  @Test
  void wrap_callersConnection_isLeftOpenOnClose() throws Exception {
    org.libvirt.Connect conn = new org.libvirt.Connect(TestNode.write(dir));
    try {
      try (HotplugClient client = HotplugClient.wrap(conn)) {
        assertThat(client.domain("web").vcpuCount().currentLive()).hasValue(2);
      }
      assertThat(conn.isAlive()).isTrue();
      assertThat(conn.domainLookupByName("web").getName()).isEqualTo("web");
    } finally {
      conn.close();
    }
  }

  @Test
  void builder_badSettings_areRefusedNamingTheField() {
    assertThatThrownBy(() -> HotplugClient.builder().pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval");
    assertThatThrownBy(() -> HotplugClient.builder().defaultTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
  }

  @Test
  void builder_settings_areKept() {
    try (HotplugClient client = HotplugClient.builder().pollInterval(Duration.ofMillis(5))
        .defaultTimeout(Duration.ofSeconds(3)).connect("test:///default")) {
      assertThat(client.pollInterval()).isEqualTo(Duration.ofMillis(5));
      assertThat(client.defaultTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(client.memoryBlockSize()).isEqualTo(HotplugClient.DEFAULT_MEMORY_BLOCK_SIZE);
    }
  }
}
