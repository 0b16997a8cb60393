package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * The opt-in extension for users' projects decides before touching anything: not opted in, it
 * skips with how to opt in (no daemon started, no lock taken); an unavailable lab skips unless the
 * build says the lab is required. Starting the lab itself is what every *IT does.
 */
class VmLabOptInTest {
  @BeforeEach
  void noEnvironmentOptIn() {
    boolean set = "true".equalsIgnoreCase(System.getenv(VmLabExtension.OPT_IN_ENV))
        || "true".equalsIgnoreCase(System.getenv(VmLabExtension.REQUIRED_ENV));
    String why = "VMHOTPLUG_LAB / VMHOTPLUG_LAB_REQUIRED are set in this environment: the not-opted-in paths"
        + " cannot run; unset them for this test";
    if (set && VmLabExtension.inCi()) {
      throw new AssertionError(why);
    }
    if (set) {
      System.err.println("SKIPPED: " + why);
    }
    Assumptions.assumeFalse(set, why);
    System.clearProperty(VmLabExtension.OPT_IN_PROPERTY);
    System.clearProperty(VmLabExtension.REQUIRED_PROPERTY);
  }

  @AfterEach
  void clear() {
    System.clearProperty(VmLabExtension.OPT_IN_PROPERTY);
    System.clearProperty(VmLabExtension.REQUIRED_PROPERTY);
  }

  @Test
  void optIn_notOptedIn_skipsWithHowToOptIn_beforeStartingAnything() {
    VmLabExtension lab = VmLabExtension.optIn();
    assertThat(lab.isOptIn()).isTrue();
    // a null context: the decision comes before the extension reads its context (starts nothing)
    assertThatThrownBy(() -> lab.beforeAll(null)).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("opt-in").hasMessageContaining("-Dvmhotplug.lab=true")
        .hasMessageContaining("VMHOTPLUG_LAB=true");
    assertThatThrownBy(lab::lab).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void optIn_requiredOnlyWhenTheBuildSaysSo_notBecauseOfCi() {
    VmLabExtension lab = VmLabExtension.optIn();
    assertThat(lab.required()).isFalse();
    System.setProperty(VmLabExtension.REQUIRED_PROPERTY, "true");
    assertThat(lab.required()).isTrue();
  }

  @Test
  void projectExtension_requiredExactlyInCi() {
    assertThat(new VmLabExtension().isOptIn()).isFalse();
    assertThat(new VmLabExtension().required()).isEqualTo(VmLabExtension.inCi());
  }

  @Test
  void unavailable_skipsWithTheReason_orFailsWhenRequired() {
    LabUnavailableException e = new LabUnavailableException("not root: run the tests as root");
    assertThat(VmLabExtension.unavailable(e, true)).isSameAs(e);
    assertThatThrownBy(() -> VmLabExtension.unavailable(e, false)).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("not root: run the tests as root");
  }
}
