package dev.vmhotplug.xml;

import dev.vmhotplug.xml.internal.SafeText;
import java.util.Objects;
import java.util.Optional;

/**
 * A guest channel device, {@code <devices><channel type='unix'><target type='virtio' name='…'
 * state='connected'/></channel>}, as read from a domain XML: an immutable, read-only view (the SDK
 * never writes channels). The QEMU guest agent's channel is the virtio channel named
 * {@value #GUEST_AGENT_NAME}; libvirt adds {@code state} to a virtio channel's target in the live XML
 * of a running domain.
 */
public final class Channel {

    /** The name of the QEMU guest agent's virtio channel. */
    public static final String GUEST_AGENT_NAME = "org.qemu.guest_agent.0";

    private final String type;
    private final String targetType;
    private final String targetName;
    private final String state;

    Channel(String type, String targetType, String targetName, String state) {
        this.type = type;
        this.targetType = targetType;
        this.targetName = targetName;
        this.state = state;
    }

    /** {@return the channel's {@code type} ({@code unix}, {@code spicevmc}, {@code pty}, …), empty when absent} */
    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    /** {@return {@code <target type>} ({@code virtio}, {@code guestfwd}, {@code xen}), empty when absent} */
    public Optional<String> targetType() {
        return Optional.ofNullable(targetType);
    }

    /** {@return {@code <target name>} ({@code org.qemu.guest_agent.0}, …), empty when absent} */
    public Optional<String> targetName() {
        return Optional.ofNullable(targetName);
    }

    /**
     * Returns {@code <target state>}: {@code connected} or {@code disconnected}, as libvirt reports a
     * virtio channel of a running domain (whether the guest side has it open).
     *
     * @return the state, empty when absent (the inactive XML, or a domain not running)
     */
    public Optional<String> state() {
        return Optional.ofNullable(state);
    }

    /**
     * Tells whether this is the QEMU guest agent's channel: a virtio target named
     * {@value #GUEST_AGENT_NAME}.
     *
     * @return true for the agent channel
     */
    public boolean isGuestAgent() {
        return "virtio".equals(targetType) && GUEST_AGENT_NAME.equals(targetName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Channel c && Objects.equals(type, c.type) && Objects.equals(targetType, c.targetType)
                && Objects.equals(targetName, c.targetName) && Objects.equals(state, c.state);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, targetType, targetName, state);
    }

    @Override
    public String toString() {
        // document text: shortened and escaped, like every echo of input
        return "Channel{type=" + q(type) + ", target type=" + q(targetType) + " name=" + q(targetName)
                + (state == null ? "" : ", state=" + q(state)) + "}";
    }

    private static String q(String s) {
        return s == null ? "-" : SafeText.quote(s);
    }
}
