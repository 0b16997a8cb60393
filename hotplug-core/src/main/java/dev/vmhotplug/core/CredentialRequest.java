package dev.vmhotplug.core;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One credential libvirt asks for while opening a connection: its type, libvirt's prompt, an
 * optional challenge and default. A {@link CredentialCallback} answers it with {@link #answer}.
 *
 * <p>Not thread-safe; lives only during one authentication. {@link #toString()} never shows an
 * answer.
 */
public final class CredentialRequest {
  private final CredentialType type;
  private final String prompt;
  private final String challenge;
  private final String defaultAnswer;
  private byte[] answer;

  /**
   * Creates a request (the SDK does, from what libvirt asks; public for tests of callbacks).
   *
   * @param type what is asked
   * @param prompt libvirt's prompt text, never null
   * @param challenge the challenge, may be null
   * @param defaultAnswer libvirt's default, may be null
   */
  public CredentialRequest(CredentialType type, String prompt, String challenge, String defaultAnswer) {
    this.type = Objects.requireNonNull(type, "type");
    this.prompt = prompt == null ? "" : prompt;
    this.challenge = challenge;
    this.defaultAnswer = defaultAnswer;
  }

  /** {@return what is asked} */
  public CredentialType type() {
    return type;
  }

  /** {@return libvirt's prompt, e.g. {@code "Please enter your authentication name"}} */
  public String prompt() {
    return prompt;
  }

  /** {@return the challenge, when the mechanism sent one} */
  public Optional<String> challenge() {
    return Optional.ofNullable(challenge);
  }

  /** {@return libvirt's default answer, when it has one} */
  public Optional<String> defaultAnswer() {
    return Optional.ofNullable(defaultAnswer);
  }

  /**
   * Answers the request.
   *
   * @param value the answer (UTF-8 is sent)
   * @throws NullPointerException if value is null
   */
  public void answer(String value) {
    Objects.requireNonNull(value, "value");
    clear();
    answer = value.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Answers the request with a secret without making a String of it; the SDK copies the bytes into
   * libvirt's memory and wipes its own copy.
   *
   * @param value the answer (UTF-8 is sent); the caller keeps and may wipe its array
   * @throws NullPointerException if value is null
   */
  public void answer(char[] value) {
    Objects.requireNonNull(value, "value");
    clear();
    ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
    answer = new byte[b.remaining()];
    b.get(answer);
    if (b.hasArray()) {
      Arrays.fill(b.array(), (byte) 0);
    }
  }

  /** {@return whether {@link #answer} was called} */
  public boolean isAnswered() {
    return answer != null;
  }

  /**
   * The answer as UTF-8 bytes (the SDK's side); the caller must wipe them after use.
   *
   * @return a copy, or null when unanswered
   */
  public byte[] answerBytes() {
    return answer == null ? null : answer.clone();
  }

  /** Wipes the answer. */
  public void clear() {
    if (answer != null) {
      Arrays.fill(answer, (byte) 0);
      answer = null;
    }
  }

  @Override
  public String toString() {
    return type + (prompt.isEmpty() ? "" : " '" + prompt + "'") + (answer == null ? " (unanswered)" : " (answered)");
  }
}
