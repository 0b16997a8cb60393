package dev.vmhotplug.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.lab.VmLab;
import dev.vmhotplug.lab.VmLabExtension;
import dev.vmhotplug.xml.MemorySize;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo's whole walk on a real QEMU guest of the VM lab: the transcript must show every guide
 * step passing, with the guest's own view (processor count, memory blocks), the virtio-mem step (grow
 * and shrink back) and the cold reboot.
 */
class DemoIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  @Test
  void guideWalk_onRealGuest_everyCheckHolds() throws Exception {
    VmLab lab = LAB.lab();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    boolean ok = new Demo(out, out).lab(lab, 4, MemorySize.ofMiB(256));
    String transcript = buf.toString(StandardCharsets.UTF_8);
    System.out.println(transcript);
    assertThat(ok).as(transcript).isTrue();
    assertThat(transcript)
        .contains("virsh setvcpus hp-")
        .contains("4 --live --config")
        .contains("<maxMemory slots='16' unit='KiB'>")
        .contains("<vcpu placement='static' current='2'>4</vcpu>")
        .contains("current      live           4")
        .containsPattern("\\[ok\\] +guest sees 4 processors")
        .containsPattern("\\[ok\\] +node0 MemTotal grew by 262144 kB")
        .containsPattern("\\[ok\\] +all \\d+ memory blocks online in the guest")
        .contains("virsh update-memory-device hp-")
        .containsPattern("\\[ok\\] +virtio-mem resized with one updateDeviceFlags per scope")
        .containsPattern("\\[ok\\] +guest MemTotal grew by exactly 262144 kB")
        .containsPattern("\\[ok\\] +guest MemTotal back at \\d+ kB")
        .containsPattern("\\[ok\\] +rebooted guest counts 4 processors")
        .contains("actual")
        .doesNotContain("[FAIL]")
        .doesNotContain("[skip]")
        .containsPattern("DEMO PASSED: \\d+ checks held \\(VM lab, QEMU TCG guest\\)");
  }
}
