/**
 * udev rules that bring hot-added vCPUs and memory online inside a guest: the rule files
 * ({@link dev.vmhotplug.guest.rules.RuleGenerator#generate}), a POSIX sh installer and a cloud-init
 * snippet, configured by {@link dev.vmhotplug.guest.rules.RuleOptions}.
 */
package dev.vmhotplug.guest.rules;
