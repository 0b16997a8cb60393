/** vmhotplug lab module. */
package dev.vmhotplug.lab;
