/**
 * Guest truth: parsers for what a guest reports about its CPUs and memory ({@code /proc/cpuinfo},
 * sysfs CPU lists, node meminfo, {@code free -m}, memory blocks, QEMU guest agent replies) and
 * {@link dev.vmhotplug.guest.truth.GuestCheck}, which compares them with what the hypervisor gave
 * and explains what is not online.
 */
package dev.vmhotplug.guest.truth;
