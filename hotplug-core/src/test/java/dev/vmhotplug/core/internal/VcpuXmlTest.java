package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugException;
import org.junit.jupiter.api.Test;

class VcpuXmlTest {
  @Test
  void read_withCurrent_returnsMaximumAndCurrent() {
    assertThat(VcpuXml.read("<domain><name>a</name><vcpu placement='static' current='2'>8</vcpu></domain>"))
        .containsExactly(8, 2);
  }

  @Test
  void read_withoutCurrent_currentIsMaximum() {
    assertThat(VcpuXml.read("<domain><vcpu>4</vcpu></domain>")).containsExactly(4, 4);
  }

  @Test
  void read_nestedVcpuElsewhere_isIgnored() {
    assertThat(VcpuXml.read("<domain><cputune><vcpu>9</vcpu></cputune><vcpu current='1'>3</vcpu></domain>"))
        .containsExactly(3, 1);
  }

  @Test
  void read_doctype_isRefused() {
    assertThatThrownBy(() -> VcpuXml.read("<!DOCTYPE domain [<!ENTITY x 'y'>]><domain><vcpu>&x;</vcpu></domain>"))
        .isInstanceOf(HotplugException.class);
  }

  @Test
  void read_noVcpu_saysSo() {
    assertThatThrownBy(() -> VcpuXml.read("<domain/>")).isInstanceOf(HotplugException.class)
        .hasMessageContaining("no <vcpu> element");
  }
}
