package dev.vmhotplug.guest.udev;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Loads the published-rule fixtures under src/test/resources/dev/vmhotplug/guest/udev. */
final class RuleFixtures {
  private RuleFixtures() {}

  static UdevRuleFile load(String path) {
    try (InputStream in = RuleFixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + path);
      }
      String name = path.substring(path.lastIndexOf('/') + 1);
      return UdevRulesParser.parse(name, path, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<UdevRuleFile> load(String... paths) {
    List<UdevRuleFile> out = new ArrayList<>();
    for (String p : paths) {
      out.add(load(p));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  static UdevVerdict eval(HotplugResource r, String... paths) {
    return UdevEvaluator.evaluate(load(paths), UdevEnvironment.kvmGuest(), r);
  }

  static UdevVerdict eval(UdevEnvironment env, HotplugResource r, String... paths) {
    return UdevEvaluator.evaluate(load(paths), env, r);
  }
}
