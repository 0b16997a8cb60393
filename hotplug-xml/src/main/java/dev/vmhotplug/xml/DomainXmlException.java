package dev.vmhotplug.xml;

import java.util.Objects;

/**
 * The unchecked exception of the XML layer: a domain XML document or one of its values could not
 * be read, was refused as hostile, lacks a required element, or holds a value outside what libvirt
 * accepts.
 *
 * <p>The message says what was found, why it blocks and what to do. {@link #reason()} classifies
 * the failure so that callers can react without parsing messages. This class is not final:
 * more specific refusals (for example the hotplug preparation's) extend it.
 */
public class DomainXmlException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a document or value was not accepted. */
    public enum Reason {
        /** The input is not well-formed XML (the message carries the parser's line and column). */
        MALFORMED,
        /** The input contains a DOCTYPE, an entity declaration or an external reference. */
        HOSTILE,
        /** An element or attribute that is required is absent. */
        MISSING_ELEMENT,
        /** A value is syntactically or numerically invalid (negative, too large, unknown unit, ...). */
        INVALID_VALUE,
        /** A requested change was refused because it cannot be done sensibly. */
        REFUSED,
        /**
         * Values that are each valid contradict each other ({@code <vcpu current='9'>2</vcpu>}, a NUMA
         * cell listing vCPUs above the maximum, a memory device on a node that has no cell): libvirt
         * refuses such a domain too.
         */
        INCONSISTENT,
        /** The document is larger than the parser accepts ({@link DomainXml#DEFAULT_MAX_BYTES}). */
        TOO_LARGE
    }

    /** The classification. */
    private final Reason reason;

    /**
     * Creates an exception.
     *
     * @param reason the classification, not null
     * @param message what was found, why it blocks and what to do
     */
    public DomainXmlException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates an exception that keeps its cause.
     *
     * @param reason the classification, not null
     * @param message what was found, why it blocks and what to do
     * @param cause the underlying failure
     */
    public DomainXmlException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns the classification of this failure.
     *
     * @return the reason, never null
     */
    public Reason reason() {
        return reason;
    }
}
