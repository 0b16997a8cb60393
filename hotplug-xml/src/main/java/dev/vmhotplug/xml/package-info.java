/** vmhotplug xml module. */
package dev.vmhotplug.xml;
