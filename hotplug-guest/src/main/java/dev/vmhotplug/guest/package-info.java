/**
 * Guest-side knowledge for hotplug, without libvirt: which distributions online hot-added CPUs and
 * memory by themselves ({@link dev.vmhotplug.guest.DistroKnowledge}), what a guest image really
 * does ({@link dev.vmhotplug.guest.GuestRoot}, {@link dev.vmhotplug.guest.UdevRulesReader}), and
 * what to install ({@link dev.vmhotplug.guest.Advice}, rules from
 * {@link dev.vmhotplug.guest.rules.RuleGenerator}). Guest truth parsers live in
 * {@code dev.vmhotplug.guest.truth}.
 */
package dev.vmhotplug.guest;
