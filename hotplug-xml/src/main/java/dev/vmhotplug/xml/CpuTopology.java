package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import jakarta.xml.bind.Unmarshaller;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * The {@code <cpu><topology sockets='S' dies='D' clusters='C' cores='K' threads='T'/>} of a domain.
 * {@code dies} and {@code clusters} default to 1 when absent.
 *
 * <p>A JAXB-bound value (not a root element; name it {@code topology} with
 * {@link PartXml#toXml(Object, String)}). Immutable, compared by value; change it with
 * {@link #toBuilder()} and write it with {@link DomainXml#setTopology(CpuTopology)}. An attribute
 * that is absent stays absent as long as its count is 1.
 */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "cpuTopology")
public final class CpuTopology {

    static final Set<String> MODELLED = Set.of("sockets", "dies", "clusters", "cores", "threads");

    @XmlAttribute
    private String sockets;
    @XmlAttribute
    private String dies;
    @XmlAttribute
    private String clusters;
    @XmlAttribute
    private String cores;
    @XmlAttribute
    private String threads;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();
    private transient boolean carried;

    private CpuTopology() {
    }

    @SuppressWarnings("unused") // JAXB callback
    private void afterUnmarshal(Unmarshaller u, Object parent) {
        carried = true;
    }

    boolean carriesUnmodelled() {
        return carried;
    }

    void validate() {
        sockets();
        dies();
        clusters();
        cores();
        threads();
    }

    private static int required(String v, String name) {
        if (v == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<cpu><topology> has no '" + name + "' attribute; libvirt requires sockets, cores and threads");
        }
        return positive(v, name);
    }

    private static int optional(String v, String name) {
        return v == null ? 1 : positive(v, name);
    }

    private static int positive(String v, String name) {
        int n = Parts.uint(v, "<cpu><topology " + name + ">");
        if (n == 0) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    "<cpu><topology " + name + "='0'> is invalid: each topology count must be 1 or more");
        }
        return n;
    }

    /** {@return the sockets} */
    public int sockets() {
        return required(sockets, "sockets");
    }

    /** {@return the dies per socket (1 when absent)} */
    public int dies() {
        return optional(dies, "dies");
    }

    /** {@return the clusters per die (1 when absent)} */
    public int clusters() {
        return optional(clusters, "clusters");
    }

    /** {@return the cores per die (per cluster when clusters are given)} */
    public int cores() {
        return required(cores, "cores");
    }

    /** {@return the threads per core} */
    public int threads() {
        return required(threads, "threads");
    }

    /**
     * Returns dies × clusters × cores × threads: the vCPUs of one socket.
     *
     * @return the product
     * @throws DomainXmlException (INVALID_VALUE) if it exceeds {@code Integer.MAX_VALUE}
     */
    public int perSocket() {
        return product(false);
    }

    /**
     * Returns sockets × dies × clusters × cores × threads: the number of vCPUs the topology
     * describes, which libvirt requires to equal the {@code <vcpu>} maximum.
     *
     * @return the product
     * @throws DomainXmlException (INVALID_VALUE) if the product exceeds {@code Integer.MAX_VALUE}
     */
    public int total() {
        return product(true);
    }

    private int product(boolean withSockets) {
        long t = 1;
        int[] counts = withSockets ? new int[] {sockets(), dies(), clusters(), cores(), threads()}
                : new int[] {dies(), clusters(), cores(), threads()};
        for (int n : counts) {
            t *= n;
            if (t > Integer.MAX_VALUE) {
                throw new DomainXmlException(Reason.INVALID_VALUE,
                        "<cpu><topology> " + this + " describes more than " + Integer.MAX_VALUE
                                + " vCPUs; fix the topology so that its product equals the <vcpu> maximum");
            }
        }
        return (int) t;
    }

    /**
     * Returns the attributes this type does not model.
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return Parts.names(otherAttributes);
    }

    /**
     * Returns a builder for a new topology (all counts 1 until set; written like libvirt 9.0 writes it,
     * {@code dies} always, {@code clusters} only when it is not 1).
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder(null);
    }

    /**
     * Returns a builder holding this topology.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CpuTopology)) {
            return false;
        }
        CpuTopology t = (CpuTopology) o;
        return Objects.equals(Parts.norm(sockets), Parts.norm(t.sockets)) && same(dies, t.dies) && same(clusters, t.clusters)
                && Objects.equals(Parts.norm(cores), Parts.norm(t.cores))
                && Objects.equals(Parts.norm(threads), Parts.norm(t.threads)) && otherAttributes.equals(t.otherAttributes);
    }

    /** An absent dies/clusters equals 1. */
    private static boolean same(String a, String b) {
        return Objects.equals(a == null ? "1" : a.strip(), b == null ? "1" : b.strip());
    }

    @Override
    public int hashCode() {
        return Objects.hash(Parts.norm(sockets), Parts.norm(cores), Parts.norm(threads), otherAttributes);
    }

    @Override
    public String toString() {
        return "CpuTopology{sockets=" + sockets + ", dies=" + (dies == null ? "1" : dies) + ", clusters="
                + (clusters == null ? "1" : clusters) + ", cores=" + cores + ", threads=" + threads + "}";
    }

    /** Builds a {@link CpuTopology}; {@link #build()} validates. */
    public static final class Builder {
        private final CpuTopology from;
        private int sockets = 1;
        private int dies = 1;
        private int clusters = 1;
        private int cores = 1;
        private int threads = 1;

        private Builder(CpuTopology from) {
            this.from = from;
            if (from != null) {
                sockets = from.sockets();
                dies = from.dies();
                clusters = from.clusters();
                cores = from.cores();
                threads = from.threads();
            }
        }

        /**
         * Sets the sockets.
         *
         * @param sockets at least 1
         * @return this builder
         */
        public Builder sockets(int sockets) {
            this.sockets = sockets;
            return this;
        }

        /**
         * Sets the dies per socket.
         *
         * @param dies at least 1
         * @return this builder
         */
        public Builder dies(int dies) {
            this.dies = dies;
            return this;
        }

        /**
         * Sets the clusters per die.
         *
         * @param clusters at least 1
         * @return this builder
         */
        public Builder clusters(int clusters) {
            this.clusters = clusters;
            return this;
        }

        /**
         * Sets the cores.
         *
         * @param cores at least 1
         * @return this builder
         */
        public Builder cores(int cores) {
            this.cores = cores;
            return this;
        }

        /**
         * Sets the threads per core.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the topology
         * @throws DomainXmlException (INVALID_VALUE) if a count is below 1
         */
        public CpuTopology build() {
            int[] all = {sockets, dies, clusters, cores, threads};
            String[] names = {"sockets", "dies", "clusters", "cores", "threads"};
            for (int i = 0; i < all.length; i++) {
                if (all[i] < 1) {
                    throw new DomainXmlException(Reason.INVALID_VALUE,
                            "<cpu><topology " + names[i] + "='" + all[i] + "'> is invalid: each count must be 1 or more");
                }
            }
            CpuTopology t = new CpuTopology();
            t.sockets = keep(from == null ? null : from.sockets, sockets, true);
            t.dies = from == null ? Integer.toString(dies) : keep(from.dies, dies, false);
            t.clusters = keep(from == null ? null : from.clusters, clusters, false);
            t.cores = keep(from == null ? null : from.cores, cores, true);
            t.threads = keep(from == null ? null : from.threads, threads, true);
            if (from != null) {
                t.otherAttributes = new LinkedHashMap<>(from.otherAttributes);
                t.carried = from.carried;
            }
            return t;
        }

        private static String keep(String old, int value, boolean required) {
            if (old == null) {
                return !required && value == 1 ? null : Integer.toString(value);
            }
            return old.strip().equals(Integer.toString(value)) ? old : Integer.toString(value);
        }
    }
}
