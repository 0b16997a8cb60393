package dev.vmhotplug.core.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import dev.vmhotplug.core.CredentialCallback;
import dev.vmhotplug.core.CredentialRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.libvirt.ConnectAuth;
import org.libvirt.jna.virConnectCredential;

/**
 * libvirt's authentication callback, answered by the caller's {@link CredentialCallback} and never
 * by a prompt.
 *
 * <p>It replaces libvirt-java's own {@code authCallback}, which writes each answer as a JNA-owned
 * string into {@code cred->result}: libvirt frees that pointer with {@code free()} after the
 * handshake, and JNA frees the same memory again when the structure is collected (a double free),
 * or before libvirt reads it (a use after free). Here every answer is copied into memory from
 * {@code malloc} that only libvirt frees, the structure's automatic write-back is switched off,
 * and the Java copies are wiped.
 *
 * <p>Every credential type is advertised, so that libvirt asks for whatever its mechanism needs and
 * the SDK can say precisely what was asked when it was not answered.
 */
final class CredentialBridge extends ConnectAuth {
  private final CredentialCallback callback;
  private final List<String> unanswered = new ArrayList<>();
  private final List<String> asked = new ArrayList<>();
  private volatile RuntimeException callbackFailure;
  private volatile int rounds;

  CredentialBridge(CredentialCallback callback) {
    this.callback = callback;
    List<ConnectAuth.CredentialType> types = new ArrayList<>();
    for (ConnectAuth.CredentialType t : ConnectAuth.CredentialType.values()) {
      if (t != ConnectAuth.CredentialType.VIR_CRED_NONE) {
        types.add(t);
      }
    }
    this.credType = types.toArray(new ConnectAuth.CredentialType[0]);
  }

  /** The native layout of {@code virConnectCredential}, with pointers instead of strings. */
  public static final class RawCredential extends Structure {
    public int type;
    public Pointer prompt;
    public Pointer challenge;
    public Pointer defresult;
    public Pointer result;
    public int resultlen;

    public RawCredential() {}

    RawCredential(Pointer p) {
      super(p);
      read();
    }

    @Override
    protected List<String> getFieldOrder() {
      return Arrays.asList("type", "prompt", "challenge", "defresult", "result", "resultlen");
    }
  }

  private static final int SIZE = new RawCredential().size();

  @Override
  public int callback(ConnectAuth.Credential[] cred) {
    return -1; // never called: authCallback below replaces libvirt-java's path
  }

  @Override
  public int authCallback(virConnectCredential cred, int ncred, Pointer cbdata) {
    cred.setAutoWrite(false); // JNA would write the struct back after we return, erasing our results
    rounds++;
    Pointer base = cred.getPointer();
    List<RawCredential> raws = new ArrayList<>(ncred);
    List<CredentialRequest> requests = new ArrayList<>(ncred);
    try {
      for (int i = 0; i < ncred; i++) {
        RawCredential rc = new RawCredential(base.share((long) i * SIZE));
        raws.add(rc);
        dev.vmhotplug.core.CredentialType type = dev.vmhotplug.core.CredentialType.ofCode(rc.type);
        CredentialRequest r = new CredentialRequest(type == null ? dev.vmhotplug.core.CredentialType.EXTERNAL : type,
            str(rc.prompt), str(rc.challenge), str(rc.defresult));
        requests.add(r);
        synchronized (asked) {
          asked.add(r.type() + (r.prompt().isEmpty() ? "" : " ('" + r.prompt() + "')"));
        }
      }
      if (callback != null) {
        try {
          callback.answer(java.util.Collections.unmodifiableList(requests));
        } catch (RuntimeException e) {
          callbackFailure = e;
          return -1;
        }
      }
      boolean all = true;
      for (CredentialRequest r : requests) {
        if (!r.isAnswered()) {
          all = false;
          synchronized (unanswered) {
            unanswered.add(r.type() + (r.prompt().isEmpty() ? "" : " ('" + r.prompt() + "')"));
          }
        }
      }
      if (!all) {
        return -1; // nothing written: libvirt reports "Failed to collect auth credentials"
      }
      for (int i = 0; i < requests.size(); i++) {
        byte[] bytes = requests.get(i).answerBytes();
        try {
          Pointer mem = new Pointer(Native.malloc(bytes.length + 1L));
          mem.write(0, bytes, 0, bytes.length);
          mem.setByte(bytes.length, (byte) 0);
          RawCredential rc = raws.get(i);
          rc.result = mem; // owned by libvirt from here on: it frees it
          rc.resultlen = bytes.length;
          rc.writeField("result");
          rc.writeField("resultlen");
        } finally {
          Arrays.fill(bytes, (byte) 0);
        }
      }
      return 0;
    } catch (RuntimeException | Error e) {
      callbackFailure = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
      return -1;
    } finally {
      for (CredentialRequest r : requests) {
        r.clear();
      }
    }
  }

  private static String str(Pointer p) {
    return p == null ? null : p.getString(0, "UTF-8");
  }

  /** @return whether libvirt asked for any credential */
  boolean wasAsked() {
    return rounds > 0;
  }

  /** @return what libvirt asked for, e.g. {@code AUTHNAME ('Please enter your authentication name')} */
  List<String> asked() {
    synchronized (asked) {
      return List.copyOf(asked);
    }
  }

  /** @return the requests that were not answered */
  List<String> unanswered() {
    synchronized (unanswered) {
      return List.copyOf(unanswered);
    }
  }

  /** @return the exception the caller's callback threw, or null */
  RuntimeException callbackFailure() {
    return callbackFailure;
  }

  /** @return whether a callback is configured */
  boolean hasCallback() {
    return callback != null;
  }
}
