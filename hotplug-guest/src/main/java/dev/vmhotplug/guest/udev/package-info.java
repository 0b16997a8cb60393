/**
 * A udev rules reader and evaluator: {@link dev.vmhotplug.guest.udev.UdevRulesParser} reads rule
 * files as udev does, {@link dev.vmhotplug.guest.udev.UdevEvaluator} runs them on paper for the
 * {@code add} event of a hot-added CPU or memory block and answers with a
 * {@link dev.vmhotplug.guest.udev.UdevVerdict} and {@code file:line} evidence, and
 * {@link dev.vmhotplug.guest.udev.GrepExplainer} explains the guide's grep output.
 */
package dev.vmhotplug.guest.udev;
