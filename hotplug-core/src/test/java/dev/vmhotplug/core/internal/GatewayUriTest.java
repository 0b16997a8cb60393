package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayUriTest {
  @Test
  void sshUris_getNoTty_soThatSshNeverPrompts_othersAreLeftAlone() {
    assertThat(LibvirtGateway.effectiveUri("qemu+ssh://root@h/system")).isEqualTo("qemu+ssh://root@h/system?no_tty=1");
    assertThat(LibvirtGateway.effectiveUri("qemu+ssh://h/system?keyfile=/k")).isEqualTo("qemu+ssh://h/system?keyfile=/k&no_tty=1");
    assertThat(LibvirtGateway.effectiveUri("qemu+ssh://h/system?no_tty=0")).isEqualTo("qemu+ssh://h/system?no_tty=0");
    assertThat(LibvirtGateway.effectiveUri("qemu+tls://h/system")).isEqualTo("qemu+tls://h/system");
    assertThat(LibvirtGateway.effectiveUri("qemu:///system")).isEqualTo("qemu:///system");
  }

  @Test
  void options_defaults_detectASilentHostWithin30s() {
    ConnectionOptions o = ConnectionOptions.defaults();
    assertThat(o.keepaliveWindow().toSeconds()).isEqualTo(30);
    assertThat(o.connectTimeout().toSeconds()).isEqualTo(30);
    assertThat(o.describeKeepalive()).isEqualTo("5 s x 5 (a silent host is noticed within 30 s)");
  }
}
