package dev.vmhotplug.guest.udev;

/** The operator of one udev rule token: two match operators and four assignment operators. */
public enum UdevOperator {
  /** {@code ==}: the key matches the value. */
  MATCH("=="),
  /** {@code !=}: the key does not match the value. */
  NOMATCH("!="),
  /** {@code =}: assign (replace a list). */
  ASSIGN("="),
  /** {@code +=}: add to a list. */
  ADD("+="),
  /** {@code -=}: remove from a list. */
  REMOVE("-="),
  /** {@code :=}: assign and forbid later changes. */
  ASSIGN_FINAL(":=");

  private final String text;

  UdevOperator(String text) {
    this.text = text;
  }

  /** {@return the operator as written in a rule file} */
  public String text() {
    return text;
  }

  /** {@return whether this is {@code ==} or {@code !=}} */
  public boolean isMatch() {
    return this == MATCH || this == NOMATCH;
  }
}
