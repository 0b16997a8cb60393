/**
 * The vmhotplug test kit: what your JUnit 5 tests need to test your own code that uses the SDK,
 * without root.
 *
 * <ul>
 *   <li>{@link dev.vmhotplug.testkit.TestDomain}: a fluent spec of a domain (vCPUs, memory,
 *       prepared or not, running or shut off, persistent or transient, memory devices);
 *   <li>{@link dev.vmhotplug.testkit.HotplugTestDriver}: a JUnit 5 extension giving a
 *       {@code HotplugClient} over libvirt's in-process test driver with those domains
 *       ({@link dev.vmhotplug.testkit.TestDriverNode} without JUnit);
 *   <li>{@link dev.vmhotplug.testkit.LibvirtSeam}: records the client's libvirt calls, injects
 *       {@link dev.vmhotplug.testkit.Fault}s, and emulates memory devices, which the test driver
 *       cannot attach.
 * </ul>
 *
 * <p>What each proves: the test driver is real libvirt (its domain parser, its vCPU rules, its
 * errors); the seam proves your code and the SDK's logic around the calls, not that QEMU and the
 * guest accept a device (the VM lab, {@code hotplug-lab}, proves that).
 */
package dev.vmhotplug.testkit;
