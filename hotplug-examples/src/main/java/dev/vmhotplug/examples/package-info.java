/** vmhotplug examples module. */
package dev.vmhotplug.examples;
