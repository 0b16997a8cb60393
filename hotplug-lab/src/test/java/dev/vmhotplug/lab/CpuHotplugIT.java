package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static dev.vmhotplug.lab.LabIt.SHUTDOWN;
import static dev.vmhotplug.lab.LabIt.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.Verification;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The guide's vCPU steps on a real guest: setvcpus --live [--config], vcpucount, shutdown + start. */
class CpuHotplugIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain liveConfig;
  static LabDomain liveOnly;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("cpu-lc").persistent(true).build(),
        DomainSpec.builder("cpu-live").persistent(true).build());
    liveConfig = vms.get(0);
    liveOnly = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void liveAndConfig_twoToFour_tableAsTheGuideAndGuestSeesFour_alsoAfterShutdownAndStart() {
    DomainHandle d = client.domain(liveConfig.name());
    assertThat(liveConfig.virsh().call("vcpucount", liveConfig.name()).strip()).isEqualTo(table(4, 4, 2, 2));

    d.vcpus().set(4).live().config().verify(Verification.guest(liveConfig.probe())).apply();

    String table = table(4, 4, 4, 4);
    assertThat(liveConfig.virsh().call("vcpucount", liveConfig.name()).strip()).isEqualTo(table);
    assertThat(d.vcpuCount().toString().strip()).isEqualTo(table);
    GuestReport r = liveConfig.probe().awaitReport("4 processors, 0-3 online", x -> x.processorCount() == 4 && x.cpusOnline().equals("0-3"), GUEST);
    assertThat(r.cpusOnline()).isEqualTo("0-3");

    liveConfig.shutdown(SHUTDOWN);
    liveConfig.start();

    assertThat(liveConfig.virsh().call("vcpucount", liveConfig.name()).strip()).isEqualTo(table);
    GuestReport after = liveConfig.probe().awaitReport("4 processors after the restart",
        x -> x.boot() == 2 && x.processorCount() == 4, GUEST);
    assertThat(after.cpusOnline()).isEqualTo("0-3");
  }

  @Test
  void liveOnly_twoToThree_configStaysTwo_guestSeesThree_backToTwoAfterShutdownAndStart_thenLastChangeWins() {
    DomainHandle d = client.domain(liveOnly.name());

    d.vcpus().set(3).live().apply();

    assertThat(liveOnly.virsh().call("vcpucount", liveOnly.name()).strip()).isEqualTo(table(4, 4, 2, 3));
    assertThat(d.vcpuCount().toString().strip()).isEqualTo(table(4, 4, 2, 3));
    GuestReport r = liveOnly.probe().awaitReport("3 processors, 0-2 online", x -> x.processorCount() == 3 && x.cpusOnline().equals("0-2"), GUEST);
    assertThat(r.cpusOnline()).isEqualTo("0-2");

    liveOnly.shutdown(SHUTDOWN);
    liveOnly.start();

    assertThat(liveOnly.virsh().call("vcpucount", liveOnly.name()).strip()).isEqualTo(table(4, 4, 2, 2));
    GuestReport after = liveOnly.probe().awaitReport("the restarted guest", x -> x.boot() == 2, GUEST);
    assertThat(after.processorCount()).isEqualTo(2);

    // the guide: a --live change followed by a --live --config change: the last one wins, also in the XML
    d.vcpus().set(3).live().apply();
    d.vcpus().set(4).live().config().apply();

    assertThat(liveOnly.virsh().call("vcpucount", liveOnly.name()).strip()).isEqualTo(table(4, 4, 4, 4));
    assertThat(liveOnly.xml(true)).contains("<vcpu placement='static'>4</vcpu>");
    liveOnly.probe().awaitReport("4 processors", x -> x.boot() == 2 && x.processorCount() == 4, GUEST);
  }
}
