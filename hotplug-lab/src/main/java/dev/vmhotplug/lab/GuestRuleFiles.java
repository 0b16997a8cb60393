package dev.vmhotplug.lab;

import java.util.List;

/**
 * The udev rule files that go into the lab guest. The single adapter between the lab and the rule
 * generator of hotplug-guest, so that the end-to-end tests prove the generated rules.
 */
final class GuestRuleFiles {
  private GuestRuleFiles() {}

  /** One rule file: name in /etc/udev/rules.d and content. */
  record RuleFile(String fileName, String content) {}

  // TODO(lab): switch to dev.vmhotplug.guest.rules.RuleGenerator.generate(RuleOptions) once
  // hotplug-guest has it; until then the two rules of the guide, as the contract specifies them.
  static List<RuleFile> forRules(GuestRules rules) {
    if (rules == GuestRules.NONE) {
      return List.of();
    }
    String state = rules == GuestRules.MOVABLE ? "online_movable" : "online";
    return List.of(
        new RuleFile("80-cpu-hotplug.rules", "# vmhotplug lab: online hot-added CPUs\n"
            + "SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"\n"),
        new RuleFile("81-mem-hotplug.rules", "# vmhotplug lab: online hot-added memory\n"
            + "SUBSYSTEM==\"memory\", ACTION==\"add\", TEST==\"state\", ATTR{state}==\"offline\", ATTR{state}=\""
            + state + "\"\n"));
  }
}
