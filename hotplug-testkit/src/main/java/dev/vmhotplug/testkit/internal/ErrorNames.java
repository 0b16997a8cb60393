package dev.vmhotplug.testkit.internal;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.libvirt.Error;

/**
 * libvirt's error names and codes, from libvirt-java's {@code Error.ErrorNumber} (whose ordinal is
 * the {@code virErrorNumber} value, as the SDK's gateway reads it). Not API.
 */
public final class ErrorNames {
  private ErrorNames() {}

  /**
   * The code of a libvirt error name.
   *
   * @param name e.g. {@code VIR_ERR_INTERNAL_ERROR}
   * @return its {@code virErrorNumber}
   * @throws IllegalArgumentException if libvirt has no error of that name
   */
  public static int code(String name) {
    try {
      return Error.ErrorNumber.valueOf(name).ordinal();
    } catch (IllegalArgumentException e) {
      String some = Arrays.stream(Error.ErrorNumber.values()).map(Enum::name)
          .filter(n -> n.contains("OPERATION") || n.equals("VIR_ERR_INTERNAL_ERROR") || n.equals("VIR_ERR_NO_DOMAIN"))
          .collect(Collectors.joining(", "));
      throw new IllegalArgumentException("libvirt has no error named '" + name + "': use a virErrorNumber name from"
          + " libvirt's virterror.h, e.g. " + some, e);
    }
  }
}
