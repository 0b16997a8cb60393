package dev.vmhotplug.lab;

import dev.vmhotplug.guest.rules.RuleFile;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.rules.RuleOptions;
import java.util.List;

/**
 * The udev rule files that go into the lab guest: hotplug-guest's generated files, so that the
 * end-to-end tests prove the generated rules (the single place where the lab asks the generator).
 */
final class GuestRuleFiles {
  private GuestRuleFiles() {}

  static List<RuleFile> forRules(GuestRules rules) {
    if (rules == GuestRules.NONE) {
      return List.of();
    }
    return RuleGenerator.generate(RuleOptions.builder().movableMemory(rules == GuestRules.MOVABLE).build());
  }
}
