package dev.vmhotplug.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On a static field the class shares one node and one client: a change made by one test stays. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassDriverTest {
  @RegisterExtension
  static final HotplugTestDriver LIBVIRT = HotplugTestDriver.with(TestDomain.named("web").vcpus(2, 8).build());

  static HotplugClient first;

  @Test
  @Order(1)
  void first_changes() {
    first = LIBVIRT.client();
    first.domain("web").vcpus().set(6).live().apply();
  }

  @Test
  @Order(2)
  void second_seesTheChangeThroughTheSameClient() {
    assertThat(LIBVIRT.client()).isSameAs(first);
    assertThat(first.isClosed()).isFalse();
    assertThat(LIBVIRT.client().domain("web").vcpuCount().currentLive()).hasValue(6);
  }
}
