package dev.vmhotplug.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension's lifecycle: per test (instance field) and per class (static field). */
class HotplugTestDriverTest {
  static HotplugClient previousClient;
  static Path previousNode;

  @Nested
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class PerTest {
    @RegisterExtension
    final HotplugTestDriver libvirt = HotplugTestDriver.with(TestDomain.named("web").vcpus(2, 8).build())
        .clientSetup(b -> b.defaultTimeout(Duration.ofSeconds(3)));

    @Test
    @Order(1)
    void first_changesItsOwnDomain() {
      libvirt.client().domain("web").vcpus().set(4).live().apply();
      assertThat(libvirt.client().domain("web").vcpuCount().currentLive()).hasValue(4);
      assertThat(libvirt.client().defaultTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(libvirt.uri()).startsWith("test:///").endsWith("/node.xml");
      previousClient = libvirt.client();
      previousNode = libvirt.node().file();
    }

    @Test
    @Order(2)
    void second_getsAFreshDomainAndTheFirstClientWasClosedAndItsNodeDeleted() {
      assertThat(libvirt.client().domain("web").vcpuCount().currentLive()).hasValue(2);
      assertThat(previousClient).isNotSameAs(libvirt.client());
      assertThat(previousClient.isClosed()).isTrue();
      assertThat(Files.exists(previousNode)).isFalse();
    }

    @Test
    @Order(3)
    void newClient_startsFromTheFileNotFromTheOtherClient() {
      libvirt.client().domain("web").vcpus().set(5).live().apply();
      HotplugClient other = libvirt.newClient();
      assertThat(other.domain("web").vcpuCount().currentLive()).hasValue(2);
      previousClient = other;
    }

    @Test
    @Order(4)
    void newClient_isClosedAfterItsTest() {
      assertThat(previousClient.isClosed()).isTrue();
    }
  }

  // the per-class mode (a static field) is PerClassDriverTest
  @Nested
  class Misuse {
    @Test
    void outsideATest_clientIsAClearError() {
      HotplugTestDriver unregistered = HotplugTestDriver.with(TestDomain.named("x").build());
      assertThatThrownBy(unregistered::client).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("@RegisterExtension");
      assertThatThrownBy(() -> HotplugTestDriver.with(java.util.List.of()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one TestDomain");
    }
  }
}
